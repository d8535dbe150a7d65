# Shared by the load scripts (benches/http/run.sh, scripts/soak.sh);
# sourced, not run. After `harness_start <name>`: $WORK is a fresh
# temporary folder, every pid pushed on PIDS is killed and waited for at
# exit, and the folder is removed.

log() { printf '%s\n' "$*" >&2; }

harness_cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}

harness_start() { # name
    WORK=$(mktemp -d --suffix ".$1")
    PIDS=()
    trap harness_cleanup EXIT
    trap 'exit 130' INT TERM
}

# True when wrk is there, installing it from Debian's packages if needed.
have_wrk() {
    command -v wrk >/dev/null && return 0
    log "wrk is missing: installing it from Debian packages"
    { apt-get update && apt-get install -y wrk; } >&2 || true
    command -v wrk >/dev/null
}
