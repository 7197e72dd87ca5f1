#!/bin/sh
# Deterministic replay for CI: builds every fuzz target WITHOUT sanitizer or fuzzing engine
# flags (plain `cargo build`; a libFuzzer binary given files runs each once and exits) and
# runs each over its seed corpus (regenerated from fixtures/ by seed_corpus.sh) and its crash
# regressions (fuzz/regressions/TARGET-*). Any panic fails the run.
# Prints `fuzz replay: N passed, M failed` (one count per target).
set -eu

main() {
    cd "$(dirname "$0")"
    ./seed_corpus.sh >/dev/null
    # No debug info and no incremental cache: a cold CI build is faster and smaller, and a
    # replay failure prints the panic message and the input, which is what is needed.
    CARGO_PROFILE_DEV_DEBUG=0 CARGO_INCREMENTAL=0 cargo build --quiet --features zarrs,series,h5 --bins
    passed=0
    failed=0
    for target in $(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^pymecompress-fuzz$'); do
        set --
        [ -d "corpus/$target" ] && set -- "corpus/$target"/*
        for f in regressions/"$target"-*; do
            [ -e "$f" ] && set -- "$@" "$f"
        done
        if [ $# -eq 0 ]; then
            echo "FAIL: $target: no seeds and no regressions (a replay of nothing proves nothing)"
            failed=$((failed + 1))
            continue
        fi
        # -runs=0 would skip the inputs; given files, libFuzzer runs each exactly once.
        if "target/debug/$target" "$@" >"target/replay-$target.log" 2>&1; then
            echo "ok: $target: $# inputs"
            passed=$((passed + 1))
        else
            echo "FAIL: $target: see fuzz/target/replay-$target.log"
            tail -20 "target/replay-$target.log"
            failed=$((failed + 1))
        fi
    done
    echo "fuzz replay: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

main "$@"
exit
