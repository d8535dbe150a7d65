#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/, one after the other, each for a
# fixed time, on one core (libFuzzer in-process: one process, one worker).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET=600] [target ...]
#
# Targets default to all six: qs jwt chat_json memory_query socket_call
# query_sql. Prints one summary line per target; exits non-zero when any
# target crashed (the input is then in fuzz/artifacts/<target>/, the full
# log in fuzz/logs/<target>.log). See fuzz/README.md.
#
# Uses the nightly toolchain with AddressSanitizer when there is one
# (FUZZ_SANITIZER=none for speed); on stable, RUSTC_BOOTSTRAP=1 and no
# sanitizer.
set -euo pipefail

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
-h | --help)
    usage
    exit 0
    ;;
esac

seconds="${1:-600}"
if [[ $# -gt 0 ]]; then
    shift
fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -eq 0 ]]; then
    echo "fuzz.sh: SECONDS_PER_TARGET must be a positive integer, not '$seconds'" >&2
    usage >&2
    exit 2
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(qs jwt chat_json memory_query socket_call query_sql)
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

toolchain=()
if cargo +nightly --version >/dev/null 2>&1; then
    toolchain=(+nightly)
    sanitizer="${FUZZ_SANITIZER:-address}"
else
    echo "fuzz.sh: no nightly toolchain; using stable with RUSTC_BOOTSTRAP=1 and no sanitizer" >&2
    export RUSTC_BOOTSTRAP=1
    sanitizer=none
fi

dictionary() {
    case "$1" in
    qs | memory_query | query_sql) echo "fuzz/dicts/query.dict" ;;
    jwt) echo "fuzz/dicts/jwt.dict" ;;
    socket_call) echo "fuzz/dicts/socket.dict" ;;
    *) echo "" ;;
    esac
}

# The last text matching a pattern in a file (empty when none does).
last_match() {
    { grep -o -- "$1" "$2" || true; } | tail -n 1
}

# A value of libFuzzer's -print_final_stats (empty when absent).
stat_of() {
    { grep -- "^stat::$1:" "$2" || true; } | tail -n 1 | sed 's/.*: *//'
}

# Failure artifacts libFuzzer leaves (slow-unit-* is only a note).
count_failures() {
    find "fuzz/artifacts/$1" -maxdepth 1 -type f \
        \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) |
        wc -l
}

# Build every target first, so that the time given is all fuzzing.
cargo "${toolchain[@]}" fuzz build --sanitizer "$sanitizer"

mkdir -p fuzz/logs
failed=()
summaries=()
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log="fuzz/logs/$target.log"
    before="$(count_failures "$target")"
    options=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1)
    dict="$(dictionary "$target")"
    if [[ -n "$dict" ]]; then
        options+=(-dict="$dict")
    fi
    corpora=("fuzz/corpus/$target")
    if [[ -d "fuzz/seeds/$target" ]]; then
        corpora+=("fuzz/seeds/$target")
    fi
    echo "fuzz.sh: $target for ${seconds}s (log: $log)" >&2
    start=$SECONDS
    status=0
    cargo "${toolchain[@]}" fuzz run --sanitizer "$sanitizer" "$target" "${corpora[@]}" -- \
        "${options[@]}" >"$log" 2>&1 || status=$?
    elapsed=$((SECONDS - start))
    crashes=$(($(count_failures "$target") - before))
    if [[ $status -ne 0 && $crashes -eq 0 ]]; then
        # A failure that left no input (the build, a bad option): count it.
        crashes=1
    fi

    executions="$(stat_of number_of_executed_units "$log")"
    if [[ -z "$executions" ]]; then
        executions="$(last_match '^#[0-9]*' "$log" | tr -d '#')"
    fi
    per_second="$(stat_of average_exec_per_sec "$log")"
    if [[ -z "$per_second" ]]; then
        per_second="$(last_match 'exec/s: [0-9]*' "$log" | sed 's/.* //')"
    fi
    cov="$(last_match 'cov: [0-9]*' "$log" | sed 's/.* //')"
    ft="$(last_match 'ft: [0-9]*' "$log" | sed 's/.* //')"
    corp="$(last_match 'corp: [0-9]*' "$log" | sed 's/.* //')"

    summary="$(printf '%-13s %10s execs %7s exec/s  cov %6s  ft %6s  corpus %6s  %5ss  crashes %s' \
        "$target" "${executions:-?}" "${per_second:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
        "$elapsed" "$crashes")"
    summaries+=("$summary")
    echo "$summary"
    if [[ $crashes -ne 0 ]]; then
        failed+=("$target")
        grep -E 'panicked at|^ERROR|SUMMARY|Test unit written to' "$log" | head -n 8 >&2 || true
    fi
done

if [[ ${#targets[@]} -gt 1 ]]; then
    echo "---"
    printf '%s\n' "${summaries[@]}"
fi
if [[ ${#failed[@]} -ne 0 ]]; then
    echo "fuzz.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/, logs in fuzz/logs/)" >&2
    exit 1
fi
