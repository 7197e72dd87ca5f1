#!/bin/sh
# Runs one fuzz target for a given time:   fuzz/run.sh TARGET SECONDS [libFuzzer flags...]
# Targets: stream_decode huffman_decompress quant16_decompress config_json roundtrip pzf_decode
#          zarrs_decode zarrs_config_json zarrs_pyme_pzf (these build zarrs: the first run is slow)
#          series_metadata (builds the root crate, zarrs included)
#          h5_open (PYME's .h5 files: pymecompress-pyme with its HDF5 reader)
#
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer=address); RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept them. Install the runner once with `cargo install cargo-fuzz`.
# The log (with libFuzzer's final stats) goes to fuzz/logs/TARGET.log and to stdout; crashes
# go to fuzz/artifacts/TARGET/.
set -eu

main() {
    cd "$(dirname "$0")"
    [ $# -ge 2 ] || { echo "usage: $0 TARGET SECONDS [libFuzzer flags...]" >&2; exit 2; }
    target=$1
    seconds=$2
    shift 2
    [ -d "corpus/$target" ] || ./seed_corpus.sh
    # The zarrs targets build zarrs (long); the core targets use their own target directory
    # so that their runs never wait behind that build.
    case $target in
        zarrs_*) build="--features zarrs" ;;
        series_*) build="--features series" ;;
        h5_*) build="--features h5" ;;
        *) build="--target-dir target/core" ;;
    esac
    # Round trips of large inputs cost much and find little: cap the input length.
    if [ "$target" = roundtrip ]; then
        set -- -max_len=8192 "$@"
    fi
    mkdir -p logs
    # shellcheck disable=SC2086 # $build is two words.
    RUSTC_BOOTSTRAP=1 cargo fuzz run $build "$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 "$@" 2>&1 \
        | tee "logs/$target.log"
}

# The whole script is parsed before it runs, so editing it cannot disturb a run in progress.
main "$@"
exit
