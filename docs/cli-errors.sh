#!/bin/bash
# Each error path of the CLI, as listed in docs/cli.md: prints "cause | exit N | first stderr
# line". Run from an empty scratch directory after `cargo build`:
#   mkdir /tmp/cases && cd /tmp/cases && REPO/docs/cli-errors.sh
REPO="$(cd "$(dirname "$0")/.." && pwd)"
P="${PYMECOMPRESS:-$REPO/target/debug/pymecompress}"
F="$REPO/fixtures"
Q=$F/stores/zarr2/q16_o0_s1_edge.zarr
H=$F/stores/zarr2/huff_u2.zarr
c() { local label="$1"; shift; "$@" >/dev/null 2>err.txt; local rc=$?; echo "$label | exit $rc | $(head -1 err.txt)"; }
$P demo --frames 2 --size 64 --out d >/dev/null 2>&1
cp -r $Q dmg.zarr; head -c 100 $Q/images/raw/0.1 > dmg.zarr/images/raw/0.1
$P convert $Q ck.zarr --zarr-format 3 --checksum >/dev/null 2>&1
python3 -c "
p='ck.zarr/images/raw/c/1/0'; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=4; open(p,'wb').write(b)"
touch plainfile; mkdir -p empty; echo keep > exists.npy
cp -r $F/stores/zarr2/q16_o0_s2_stack.zarr badmeta.zarr; sed -i 's/"scale": 2/"scale": 0/' badmeta.zarr/.zarray
head -c 40 $Q/images/raw/0.0 > cut.chunk
c "unknown flag" $P info $Q --bogus
c "missing store" $P info nosuch
c "regular file as store" $P info plainfile
c "directory without metadata" $P verify empty
c "bad metadata (info)" $P info badmeta.zarr
c "damaged chunk (verify)" $P verify dmg.zarr
c "checksum mismatch (verify)" $P verify ck.zarr
c "damaged chunk (export)" $P export dmg.zarr/images/raw o1.npy
c "export of a group" $P export $Q o2.npy
c "region syntax 0-10" $P export $H o3.npy --region 0-10
c "region step ::2" $P export $H o3.npy --region ::2
c "region a:b" $P export $H o3.npy --region a:b
c "region reversed 40:10" $P export $H o3.npy --region 40:10
c "region outside 0:100" $P export $H o3.npy --region 0:100
c "region index 70" $P export $H o3.npy --region 70
c "region too many axes" $P export $H o3.npy --region 1,2,3
c "output exists" $P export $H exists.npy
c "output dir missing" $P export $H nodir/o.npy
c "convert: --level 99" $P convert $H o4.zarr --codec zstd --level 99
c "convert: --scale -1" $P convert $H o4.zarr --codec quant16 --scale -1
c "convert: --offset x" $P convert $H o4.zarr --codec quant16 --offset x
c "convert: --shards with v2" $P convert $H o4.zarr --codec zstd --zarr-format 2 --shards 64,80
c "convert: --chunks rank" $P convert $H o4.zarr --codec zstd --chunks 10
c "convert: shards not multiple" $P convert $H o4.zarr --codec zstd --zarr-format 3 --chunks 10,10 --shards 15,20
c "convert: --checksum v2" $P convert $H o4.zarr --codec zstd --checksum
c "convert: quant16 no params" $P convert d/movie-zstd.zarr o4.zarr --codec quant16
c "convert: quant16 no scale" $P convert d/movie-zstd.zarr o4.zarr --codec quant16 --offset 100
c "convert: offset auto, none" $P convert d/movie-zstd.zarr o4.zarr --codec quant16 --offset auto --scale 1
c "convert: differs from source" $P convert d/movie-quant16.zarr o4.zarr --codec quant16 --offset 0
c "convert: output exists" $P convert $H d --codec zstd
c "convert: quant16 of float32" $P convert $F/stores/zarr2/huff_f4.zarr o4.zarr --codec quant16 --offset 0 --scale 1
c "convert: --offset with zstd" $P convert $H o4.zarr --codec zstd --offset 100
c "convert: --scale, no quant16 array" $P convert $H o4.zarr --scale 2
c "convert: own codec not written" $P convert $F/pyme_series/data/pyramid o4.zarr
c "convert: --frames of a store" $P convert $H o4.zarr --frames ::2
c "export: --frames of a store" $P export $H o3.npy --frames 0:10
c "--frames ::0" $P export $H o3.npy --frames ::0
mkdir -p outer.zarr && echo '{"zarr_format": 2}' > outer.zarr/.zgroup && cp -r $F/pyme_series/data/pyramid outer.zarr/pyr
c "a layout not applied (info, verify, convert)" $P info outer.zarr
c "convert: damaged source" $P convert dmg.zarr o5.zarr --codec zstd
c "compress: quant16 of float32" $P compress $F/stores/zarr2/huff_f4.expected.npy o.chunk --codec quant16
c "compress: not an npy" $P compress plainfile o.chunk --codec huffman
c "decompress: wrong --shape" $P decompress $Q/images/raw/0.0 o6.npy --codec quant16 --shape 10,10
c "decompress: huffman wrong --shape" $P decompress $H/0.0 o6.npy --codec huffman --shape 10,10
c "decompress: truncated" $P decompress cut.chunk o6.npy --codec quant16 --shape 32,40
c "decompress: quant16 --dtype float32" $P decompress $Q/images/raw/0.0 o6.npy --codec quant16 --shape 32,40 --dtype float32
c "decompress: bad --dtype" $P decompress $Q/images/raw/0.0 o6.npy --codec huffman --shape 32,40 --dtype u3
c "decompress: --scale 0" $P decompress $Q/images/raw/0.0 o6.npy --codec quant16 --shape 32,40 --scale 0
c "demo: --size bad" $P demo --size 0
c "demo: --frames 0" $P demo --frames 0
c "demo: store exists" $P demo --frames 2 --size 64 --out d
# PZF files and PYME series (issue 10)
S=$F/pyme_series/data
head -c 200 $F/pzf/u16_huff_C_2d.pzf > cut.pzf
mkdir -p mixed.pcs && cp $S/complete/server0/scan_000.pcs/* mixed.pcs/ && cp $S/quantized/server0/scan_002.pcs/frame00003.pzf mixed.pcs/
c "--node with a store" $P info $H --node empty
c "--region with a .pzf" $P export $F/pzf/u16_huff_C_2d.pzf o7.npy --region 0:1
c "convert --shards of a series" $P convert $S/quantized/server0/scan_002.pcs o8.zarr --codec zstd --zarr-format 3 --shards 2,32,32
c "damaged .pzf (export)" $P export cut.pzf o7.npy
c "incomplete series" $P export $S/incomplete/server0/scan_001.pcs o7.npy --node $S/incomplete/server1/scan_001.pcs
c "series frames differ" $P export mixed.pcs o7.npy --allow-incomplete
c "quant16 of a lossless series, no params" $P convert $S/complete/server0/scan_000.pcs o8.zarr --codec quant16
c "quant16 params differ from series'" $P convert $S/quantized/server0/scan_002.pcs o8.zarr --codec quant16 --offset 0 --scale 1
# PYME sources (issues 19 and 23)
c "missing .pzf" $P info nosuch.pzf
c "series split, one server given" $P export $S/complete/server0/scan_000.pcs o9.npy
c "--node a server's root" $P info $S/complete/server0/scan_000.pcs --node $S/complete/server1
c "verify of an incomplete series" $P verify $S/incomplete/server0/scan_001.pcs --node $S/incomplete/server1/scan_001.pcs
c "--frames takes nothing" $P export $S/complete/server0/scan_000.pcs o9.npy --node $S/complete/server1/scan_000.pcs --frames 500:
c "--frames with one .pzf" $P export $F/pzf/u16_huff_C_2d.pzf o9.npy --frames 0:1
c "quant16 of a uint8 series" $P convert $F/pzf/u8_huff_C_2d.pzf o9.zarr --codec quant16
c "--offset with zstd (series)" $P convert $S/complete/server0/scan_000.pcs o9.zarr --node $S/complete/server1/scan_000.pcs --codec zstd --offset 100
