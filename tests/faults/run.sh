#!/usr/bin/env bash
# Real faults against the release binary: SIGKILL mid-convert of a store and of a PYME series
# (then --resume), SIGKILL mid-export (then --restart), a full disk, a read-only output, a
# missing parent directory, a second writer of a store and of a file, and concurrent readers
# of a store being rewritten. Nothing is mocked: the disk is a size-limited tmpfs, the
# read-only location a read-only tmpfs (root ignores file modes), the kills real SIGKILLs.
#
#   tests/faults/run.sh          # CI: 5 store, 4 series and 3 export kills, a few seconds of readers
#   tests/faults/run.sh --long   # 50, 20 and 20 kills, longer reader runs
#
# Needs root (mount). Prints `faults: N passed, M failed`; exits 1 if any failed or if a fault
# could not be produced (it never skips one silently).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

LONG=0
[[ ${1:-} == --long ]] && LONG=1
KILLS=$((LONG ? 50 : 5))
SERIES_KILLS=$((LONG ? 20 : 4))
EXPORT_KILLS=$((LONG ? 20 : 3))
ROUNDS=$((LONG ? 400 : 40))

# FAULTS_PROFILE=dev runs the debug build (for a quick check while developing).
PROFILE=${FAULTS_PROFILE:-release}
DIR=$([[ $PROFILE == dev ]] && echo debug || echo "$PROFILE")
BIN=$ROOT/target/$DIR/pymecompress
DRIVER=$ROOT/target/$DIR/examples/faults_driver
if [[ ! -x $BIN || ! -x $DRIVER || ${FAULTS_REBUILD:-1} == 1 ]]; then
    # Cheap when up to date; makes sure the binary is the tree's, not a stale one.
    cargo build --profile "$PROFILE" --quiet --bin pymecompress --example faults_driver || {
        echo "faults: build failed"
        echo "faults: 0 passed, 1 failed"
        exit 1
    }
fi

WORK=$(mktemp -d /tmp/pymecompress-faults.XXXXXX)
MOUNTS=()
LOOPS=()
cleanup() {
    # Newest first. A loop device's image sits on an earlier tmpfs, busy until the device is
    # detached: so detach the loops, then unmount what is left.
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[i]}" 2>/dev/null; done
    for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
    for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok: $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL: $1"; }
# expect NAME CONDITION-STATUS DETAIL
expect() { if [[ $2 == 0 ]]; then ok "$1"; else bad "$1: $3"; fi; }

tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
leftovers() { find "$1" -maxdepth 1 -name ".$2.partial-*" | wc -l; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# random_sleep MS: a uniformly random time within MS milliseconds.
random_sleep() { sleep "$(awk -v ms="$1" -v r="$RANDOM" 'BEGIN { printf "%.3f", ms * r / 32768 / 1000 }')"; }

echo "== source store"
"$BIN" demo --frames 160 --size 384 --out "$WORK/src" >/dev/null || { bad "demo source"; }
SRC=$WORK/src/movie-zstd.zarr
SRC_SUM=$(tree_sum "$SRC")
CONVERT=(convert "$SRC" --codec huffman)

# reference LABEL NAME COMMAND...: the uninterrupted run `COMMAND $WORK/NAME.zarr`, exported to
# $WORK/NAME.npy and verified complete; its time in REF_MS (kills land uniformly within it).
reference() {
    local label=$1 store=$WORK/$2.zarr
    shift 2
    local start
    start=$(now_ms)
    "$BIN" "$@" "$store" >/dev/null
    expect "uninterrupted $label" $? "exit status"
    REF_MS=$(($(now_ms) - start))
    "$BIN" export "$store" "${store%.zarr}.npy" >/dev/null
    echo "   $label takes ${REF_MS} ms"
    "$BIN" verify "$store" | tail -1 | grep -q "complete (every recorded chunk present)"
    expect "verify calls the finished $label store complete" $? "no completion verdict"
}

echo "== reference: uninterrupted convert"
mkdir -p "$WORK/out"
reference convert ref "${CONVERT[@]}"
elapsed_ms=$REF_MS

# kill_once LABEL TARGET MS COMMAND...: runs COMMAND TARGET and SIGKILLs it within MS ms; then
# the target must be absent, or complete and verified. Returns 0 if the kill left a temporary
# (it landed mid-write), 1 if it left nothing, 2 if the run had finished.
kill_once() {
    local label=$1 target=$2 ms=$3
    shift 3
    local out name
    out=$(dirname "$target") name=$(basename "$target")
    rm -rf "$target" "$out/.$name".partial-*
    "$BIN" "$@" "$target" >/dev/null 2>&1 &
    local pid=$!
    random_sleep "$ms"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [[ -e $target ]]; then
        "$BIN" verify "$target" >"$WORK/v.txt" 2>&1 && grep -q "complete (every" "$WORK/v.txt"
        expect "$label: target present only complete and verified" $? "$(tail -2 "$WORK/v.txt")"
        return 2
    fi
    ok "$label: no target under the output name"
    [[ $(leftovers "$out" "$name") -gt 0 ]]
}

# resume_and_compare LABEL TARGET REF_NPY COMMAND...: `COMMAND TARGET --resume` finishes, the
# store exports what REF_NPY holds, no temporary is left; adds the chunks kept to kept_total.
kept_total=0
resume_and_compare() {
    local label=$1 target=$2 ref=$3
    shift 3
    "$BIN" "$@" "$target" --resume >/dev/null 2>"$WORK/e.txt"
    expect "$label: --resume finishes" $? "$(cat "$WORK/e.txt")"
    local kept
    kept=$(sed -n 's/.*: \([0-9]*\) chunks kept from the interrupted run.*/\1/p' "$WORK/e.txt")
    kept_total=$((kept_total + ${kept:-0}))
    "$BIN" export "$target" "$WORK/k.npy" --force >/dev/null 2>&1 && cmp -s "$WORK/k.npy" "$ref"
    expect "$label: resumed store exports the same array as the uninterrupted run" $? "exports differ"
    [[ $(leftovers "$(dirname "$target")" "$(basename "$target")") == 0 ]]
    expect "$label: no temporary left after the resume" $? "$(ls -a "$(dirname "$target")")"
}

echo "== $KILLS x SIGKILL during convert, then --resume"
kills_mid=0
for i in $(seq 1 "$KILLS"); do
    target=$WORK/out/k.zarr
    kill_once "kill $i" "$target" "$elapsed_ms" "${CONVERT[@]}"
    case $? in 2) continue ;; 0) kills_mid=$((kills_mid + 1)) ;; esac
    if [[ $kills_mid == 1 && $(leftovers "$WORK/out" k.zarr) -gt 0 ]]; then
        "$BIN" "${CONVERT[@]}" "$target" >/dev/null 2>"$WORK/e.txt"
        st=$?
        grep -q "interrupted run left .*partial.*--resume.*--restart" "$WORK/e.txt"
        expect "a leftover without a flag: exit 1 naming it and the flags" $(( st == 1 ? $? : 1 )) "status $st: $(cat "$WORK/e.txt")"
        "$BIN" convert "$SRC" --codec zstd "$target" --resume >/dev/null 2>"$WORK/e.txt"
        st=$?
        grep -q "cannot resume .*codec" "$WORK/e.txt"
        expect "--resume with another codec: exit 2 naming the argument" $(( st == 2 ? $? : 1 )) "status $st: $(cat "$WORK/e.txt")"
    fi
    resume_and_compare "kill $i" "$target" "$WORK/ref.npy" "${CONVERT[@]}"
done
echo "   $kills_mid of $KILLS kills landed mid-write (left a temporary)"
echo "   the resumes kept $kept_total chunks written before the kills (decoded to check, not encoded again)"
[[ $kept_total -gt 0 ]]
expect "--resume keeps chunks already written" $? "no resume kept a chunk"
[[ $kills_mid -gt 0 ]]
expect "at least one kill landed mid-write" $? "all kills missed the write; the store is too small"

echo "== $SERIES_KILLS x SIGKILL during convert of a PYME series, then --resume"
# PYME's two-server spool of 120 frames of 32 x 32 (fixtures/pyme_series): small, but each of
# its 120 chunks is flushed to disk on its own, so a kill can land mid-write.
PCS=$ROOT/fixtures/pyme_series/data/complete
SERIES=(convert "$PCS/server0/scan_000.pcs" --node "$PCS/server1/scan_000.pcs" --codec zstd)
reference "series convert" sref "${SERIES[@]}"
series_ms=$REF_MS
series_mid=0
kept_before=$kept_total
for i in $(seq 1 "$SERIES_KILLS"); do
    kill_once "series kill $i" "$WORK/out/s.zarr" "$series_ms" "${SERIES[@]}"
    case $? in 2) continue ;; 0) series_mid=$((series_mid + 1)) ;; esac
    resume_and_compare "series kill $i" "$WORK/out/s.zarr" "$WORK/sref.npy" "${SERIES[@]}"
done
echo "   $series_mid of $SERIES_KILLS kills landed mid-write; the resumes kept $((kept_total - kept_before)) chunks"
[[ $series_mid -gt 0 ]]
expect "at least one series kill landed mid-write" $? "all kills missed the write"

echo "== $EXPORT_KILLS x SIGKILL during export, then --restart"
start=$(now_ms)
"$BIN" export "$SRC" "$WORK/src.npy" >/dev/null
export_ms=$(($(now_ms) - start))
echo "   export takes ${export_ms} ms"
export_mid=0
target=$WORK/out/e.npy
for i in $(seq 1 "$EXPORT_KILLS"); do
    rm -f "$target" "$WORK"/out/.e.npy.partial-*
    "$BIN" export "$SRC" "$target" >/dev/null 2>&1 &
    pid=$!
    random_sleep "$export_ms"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [[ -e $target ]]; then
        cmp -s "$target" "$WORK/src.npy"
        expect "export kill $i: a file under the output name is the whole export" $? "it differs"
        continue
    fi
    [[ $(leftovers "$WORK/out" e.npy) -gt 0 ]] || continue
    export_mid=$((export_mid + 1))
    "$BIN" export "$SRC" "$target" >/dev/null 2>"$WORK/e.txt"
    st=$?
    [[ $export_mid == 1 ]] && echo "   user sees: $(head -1 "$WORK/e.txt")"
    grep -q "interrupted run left .*e.npy.partial-.*incomplete.*--restart" "$WORK/e.txt"
    expect "export kill $i: the next run exits 1 naming the incomplete leftover" $(( st == 1 ? $? : 1 )) "status $st: $(cat "$WORK/e.txt")"
    "$BIN" export "$SRC" "$target" --restart >/dev/null 2>"$WORK/e.txt" && cmp -s "$target" "$WORK/src.npy"
    expect "export kill $i: --restart writes the whole export" $? "$(cat "$WORK/e.txt")"
    [[ $(leftovers "$WORK/out" e.npy) == 0 ]]
    expect "export kill $i: no temporary left" $? "$(ls -a "$WORK/out")"
done
echo "   $export_mid of $EXPORT_KILLS kills landed mid-write"
[[ $export_mid -gt 0 ]]
expect "at least one export kill landed mid-write" $? "all kills missed the write"

# second_writer LABEL TARGET COMMAND...: while `COMMAND TARGET` runs, `COMMAND TARGET --restart`
# must be refused with exit 1, and the first must finish.
second_writer() {
    local label=$1 target=$2
    shift 2
    local out name
    out=$(dirname "$target") name=$(basename "$target")
    "$BIN" "$@" "$target" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 200); do [[ $(leftovers "$out" "$name") -gt 0 ]] && break; sleep 0.01; done
    "$BIN" "$@" "$target" --restart >/dev/null 2>"$WORK/e.txt"
    local st=$? alive=0
    kill -0 "$pid" 2>/dev/null && alive=1
    wait "$pid"
    local first=$?
    if [[ $alive == 1 || $st == 1 ]]; then
        echo "   user sees: $(head -1 "$WORK/e.txt")"
        grep -q "another pymecompress process is writing it now" "$WORK/e.txt"
        expect "$label: a second writer (even with --restart) refused with exit 1 while the first lives" $(( st == 1 ? $? : 1 )) "status $st: $(cat "$WORK/e.txt")"
    else
        bad "$label: the first finished before the second started (output too small)"
    fi
    expect "$label: the first writer finishes untouched" "$first" "status $first"
}

echo "== a second writer while the first lives"
rm -rf "$WORK"/out/*.zarr "$WORK"/out/*.npy "$WORK"/out/.*.partial-*
second_writer "convert" "$WORK/out/two.zarr" "${CONVERT[@]}"
second_writer "export" "$WORK/out/two.npy" export "$SRC"
cmp -s "$WORK/out/two.npy" "$WORK/src.npy"
expect "export: the first writer's file is the whole export" $? "it differs"

mount_tmpfs() { # DIR OPTIONS
    mkdir -p "$1"
    if ! mount -t tmpfs -o "$2" tmpfs "$1" 2>"$WORK/mount.txt"; then
        echo "faults: cannot mount tmpfs on $1 ($(cat "$WORK/mount.txt")); this fault needs root and mount"
        bad "mount tmpfs $2"
        return 1
    fi
    MOUNTS+=("$1")
}

# refused_cleanly LABEL DIR PATTERN COMMAND...: COMMAND exits 1 with PATTERN on stderr, and
# leaves DIR empty.
refused_cleanly() {
    local label=$1 dir=$2 pattern=$3
    shift 3
    "$BIN" "$@" >/dev/null 2>"$WORK/e.txt"
    local st=$?
    echo "   user sees: $(head -1 "$WORK/e.txt")"
    grep -q "$pattern" "$WORK/e.txt"
    expect "$label: exit 1 naming the output and the cause" $(( st == 1 ? $? : 1 )) "status $st: $(cat "$WORK/e.txt")"
    [[ -z $(ls -A "$dir") ]]
    expect "$label: nothing left" $? "$(ls -A "$dir")"
}

echo "== disk full (16 MiB tmpfs)"
if mount_tmpfs "$WORK/full" size=16m; then
    refused_cleanly "disk full (convert)" "$WORK/full" "out.zarr.*No space left on device" \
        convert "$SRC" --codec none "$WORK/full/out.zarr"
    refused_cleanly "disk full (export)" "$WORK/full" "big.npy.*No space left on device" \
        export "$SRC" "$WORK/full/big.npy"
fi

echo "== read-only output location (read-only tmpfs)"
if mount_tmpfs "$WORK/ro" ro,size=1m; then
    refused_cleanly "read-only" "$WORK/ro" "out.zarr.*Read-only file system" \
        convert "$SRC" --codec huffman "$WORK/ro/out.zarr"
fi

echo "== I/O error (EIO): ext4 on a loop device cut short under it"
# The file system is made for 64 MiB; once it is mounted, its loop device is shrunk to 8 MiB,
# so writing back a block past 8 MiB fails in the block layer and fsync returns EIO: a real I/O
# error from the kernel, not a mock (there is no device-mapper here to inject one).
eio_fault() {
    local back=$WORK/eio-back mnt=$WORK/eio loop
    if ! command -v mkfs.ext4 >/dev/null; then
        # A fresh CI machine may lack e2fsprogs (Debian package); it is installed, not skipped.
        apt-get install -y -qq e2fsprogs >/dev/null 2>&1 || {
            bad "EIO: mkfs.ext4 missing and apt-get install e2fsprogs failed"
            return
        }
    fi
    mount_tmpfs "$back" size=80m || return
    truncate -s 64M "$back/disk.img"
    if ! loop=$(losetup -f --show "$back/disk.img" 2>"$WORK/mount.txt"); then
        bad "EIO: losetup failed ($(cat "$WORK/mount.txt")); this fault needs root and loop devices"
        return
    fi
    LOOPS+=("$loop")
    mkdir -p "$mnt"
    if ! { mkfs.ext4 -q "$loop" && mount "$loop" "$mnt"; } 2>"$WORK/mount.txt"; then
        bad "EIO: mkfs.ext4/mount on $loop failed ($(cat "$WORK/mount.txt"))"
        return
    fi
    MOUNTS+=("$mnt")
    mkdir "$mnt/out" && sync
    truncate -s 8M "$back/disk.img" && losetup -c "$loop"
    refused_cleanly "I/O error (convert)" "$mnt/out" "out.zarr.*Input/output error" \
        convert "$SRC" --codec none "$mnt/out/out.zarr"
}
eio_fault

echo "== output parent missing"
"$BIN" convert "$SRC" --codec huffman "$WORK/no/such/out.zarr" >/dev/null 2>"$WORK/e.txt"
st=$?
echo "   user sees: $(head -1 "$WORK/e.txt")"
grep -q "no/such/out.zarr.*does not exist" "$WORK/e.txt" && [[ ! -e $WORK/no ]]
expect "missing parent: exit 1 naming it, nothing created" $(( st == 1 ? $? : 1 )) "status $st: $(cat "$WORK/e.txt")"

[[ $(tree_sum "$SRC") == "$SRC_SUM" ]]
expect "the source store is untouched by every fault" $? "source changed"

echo "== concurrent readers ($ROUNDS rounds of 16 chunks, two readers)"
concurrent() { # NAME [--plain]
    local store=$WORK/$1.zarr stop=$WORK/$1.stop
    rm -rf "$store" "$stop"
    mkdir -p "$store"
    "$DRIVER" read "$store" "$stop" >"$WORK/$1.r1" 2>&1 &
    local r1=$!
    "$DRIVER" read "$store" "$stop" >"$WORK/$1.r2" 2>&1 &
    local r2=$!
    "$DRIVER" write "$store" "$ROUNDS" ${2:-} >/dev/null
    local w=$?
    touch "$stop"
    wait "$r1"; local s1=$?
    wait "$r2"; local s2=$?
    echo "   $1: $(tail -1 "$WORK/$1.r1") | $(tail -1 "$WORK/$1.r2")"
    return $((w != 0 ? 3 : (s1 || s2)))
}
concurrent atomic
expect "concurrent readers see old, new or fill, never a torn chunk" $? "$(grep -h 'chunk' "$WORK"/atomic.r? | head -3)"
# The control: zarrs's own in-place writes, which the readers must be able to catch. Reported,
# not counted: a torn read is likely but not certain in a short run.
concurrent plain --plain
echo "   control (plain FilesystemStore, in-place writes): readers exit $? (1 = torn chunks caught)"

echo "faults: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
