#!/usr/bin/env bash
# A throwaway Redis server for the tests and for running several chat
# instances locally: a redis-server of its own with its files in a
# directory, on a free port of 127.0.0.1, with no persistence (no RDB
# snapshot, no append-only file). Nothing outside DIR is touched (besides
# installing redis-server when it is missing and we are root).
#
# Usage:
#   scripts/redis.sh start DIR        start a server in DIR (created if
#                                     missing); prints its URL, also
#                                     written to DIR/url
#   scripts/redis.sh stop DIR         stop it and remove DIR
#   scripts/redis.sh run -- CMD...    start one in a temporary directory,
#                                     run CMD with REDIS_URL and
#                                     TEST_REDIS_URL set, stop it whatever
#                                     happens; exits with CMD's status
#
# The local way to run the Redis tests:
#   scripts/redis.sh run -- cargo test -p tests --test redis_sync
#
# stdout carries only the URL (so `url=$(scripts/redis.sh start DIR)`
# works); everything else goes to stderr. The server's own log is DIR/log.
#
# Without redis-server on PATH, as root, `apt-get install redis-server` is
# run (without starting the distribution's own service); as another user,
# install it first.
set -euo pipefail
# Failures inside $(...) stop the script too.
shopt -s inherit_errexit

log() { printf 'redis.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Installs redis-server from the distribution's packages (root only). The
# package would start a server of its own on 6379 through invoke-rc.d; a
# policy-rc.d answering 101 ("action forbidden") keeps it from doing so,
# and is removed afterwards unless it was there before.
install_server() {
    [ "$(id -u)" -eq 0 ] || die "redis-server is not installed; install it (Debian: apt-get install redis-server) or run as root to have it installed"
    command -v apt-get >/dev/null || die "redis-server is not installed and there is no apt-get to install it with"
    log "redis-server is not installed: installing it from the distribution's packages"
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    local status=0
    {
        apt-get update -q && apt-get install -y -q --no-install-recommends redis-server
    } >&2 || status=$?
    [ -z "$made_policy" ] || rm -f "$policy"
    [ "$status" -eq 0 ] || die "apt-get install redis-server failed"
}

# A TCP port of 127.0.0.1 that nothing listens on right now.
free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    local port tries
    for tries in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        # A refused connection means a free port.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free TCP port found on 127.0.0.1"
}

# Whether the server on `port` answers PING.
answers() { # port
    local reply
    reply=$(
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'PING\r\n' >&3
        timeout 2 head -c 7 <&3
    ) 2>/dev/null || return 1
    [ "${reply%$'\r'}" = "+PONG" ]
}

start() { # dir
    local dir=$1 port attempt tries
    command -v redis-server >/dev/null || install_server
    command -v redis-server >/dev/null || die "redis-server was installed but is not on PATH"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/pid" ] || die "$dir/pid already exists: is a server already there? (scripts/redis.sh stop $dir)"
    # The port is free when probed but may be taken before the server binds
    # it: try a few.
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        # No persistence: `save ""` turns RDB snapshots off and appendonly
        # is off, so nothing is written but the log and the pid file.
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$dir" --daemonize yes --pidfile "$dir/pid" --logfile "$dir/log" >&2 ||
            die "redis-server did not start; see $dir/log"
        for tries in $(seq 1 50); do
            if answers "$port"; then
                echo "$port" >"$dir/port"
                printf 'redis://127.0.0.1:%s\n' "$port" >"$dir/url"
                log "redis-server $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') listening on 127.0.0.1:$port (files in $dir)"
                cat "$dir/url"
                return
            fi
            sleep 0.1
        done
        log "the server did not answer on port $port (attempt $attempt); its log:"
        tail -n 20 "$dir/log" >&2 || true
        stop_server "$dir"
    done
    die "redis-server did not start; see $dir/log"
}

# Stops the server whose pid file is in DIR, waiting for it to exit.
stop_server() { # dir
    local dir=$1 pid tries
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    if [[ $pid =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null; then
        for tries in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/pid"
}

stop() { # dir
    local dir=$1
    # Only a directory this script made is removed, whatever path is given.
    if [ ! -f "$dir/url" ] && [ ! -f "$dir/pid" ]; then
        if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then
            rmdir "$dir"
            return
        fi
        [ ! -e "$dir" ] || die "$dir holds no server started by this script: not removing it"
        return
    fi
    stop_server "$dir"
    rm -rf "$dir"
}

run() { # cmd...
    [ $# -gt 0 ] || usage
    # Global: the EXIT trap runs after this function has returned.
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/auth-core-redis.XXXXXX")
    # Stopped on every exit: CMD's failure, ours, or Ctrl-C; with CMD's
    # status.
    trap 'status=$?; (stop "$RUN_DIR") || true; exit $status' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    REDIS_URL=$(start "$RUN_DIR")
    TEST_REDIS_URL=$REDIS_URL
    export REDIS_URL TEST_REDIS_URL
    log "REDIS_URL=$REDIS_URL"
    "$@"
}

[ $# -gt 0 ] || usage
command=$1
shift
case $command in
start)
    [ $# -eq 1 ] || usage
    start "$1"
    ;;
stop)
    [ $# -eq 1 ] || usage
    stop "$1"
    ;;
run)
    [ "${1-}" = "--" ] && shift
    run "$@"
    ;;
*) usage ;;
esac
