#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: a cluster of its own in a
# directory, on a free port of 127.0.0.1, trusting every local connection,
# tuned for speed rather than durability. Nothing outside DIR is touched
# (besides installing PostgreSQL when it is missing and we are root).
#
# Usage:
#   scripts/postgres.sh start DIR        start a server in DIR (created if
#                                        missing); prints its URL, also
#                                        written to DIR/url
#   scripts/postgres.sh stop DIR         stop it and remove DIR
#   scripts/postgres.sh stop-server DIR [MODE]
#                                        stop the server only, keeping DIR
#                                        (MODE: pg_ctl's smart, fast, or
#                                        immediate, the default: as a crash)
#   scripts/postgres.sh restart DIR      start a server stopped that way
#                                        again, on the same port
#   scripts/postgres.sh createdb DIR NAME
#                                        another database on that server;
#                                        prints its URL
#   scripts/postgres.sh run -- CMD...    start one in a temporary directory,
#                                        run CMD with TEST_POSTGRES_URL set,
#                                        stop it whatever happens; exits
#                                        with CMD's status
#
# The local way to run the PostgreSQL tests:
#   scripts/postgres.sh run -- cargo test --workspace
#
# stdout carries only the URLs (so `url=$(scripts/postgres.sh start DIR)`
# works); everything else goes to stderr. The server's own log is DIR/log.
#
# The binaries (initdb, pg_ctl, createdb) are taken from the newest
# /usr/lib/postgresql/*/bin holding a server (Debian's layout), else from
# PATH. Without them, as root, `apt-get install postgresql` is run; as
# another user, install PostgreSQL first. initdb refuses to run as root, so
# as root the cluster belongs to the `postgres` user (DIR is handed to it,
# and its parent directories must let that user through).
set -euo pipefail
# Failures inside $(...) stop the script too.
shopt -s inherit_errexit

DATABASE=auth_core_test

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# The directory of the newest installed server's binaries, or empty.
server_bin() {
    local dir newest=""
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] || continue
        if [ -z "$newest" ] || [ "$(printf '%s\n%s\n' "$newest" "$dir" | sort -V | tail -n 1)" = "$dir" ]; then
            newest=$dir
        fi
    done
    if [ -n "$newest" ]; then
        printf '%s\n' "$newest"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

# Installs PostgreSQL from the distribution's packages (root only), without
# the cluster Debian's package would otherwise create and start on 5432.
install_server() {
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or PATH); install it (Debian: apt-get install postgresql) or run as root to have it installed"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it with"
    log "PostgreSQL is not installed: installing it from the distribution's packages"
    # postgresql-common reads this before creating the default cluster; a
    # file already there is kept (dpkg's --force-confold, ucf's
    # UCF_FORCE_CONFFOLD). If a cluster is made and started anyway, it is
    # harmless: ours runs on a port of its own.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        mkdir -p /etc/postgresql-common
        echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
    fi
    export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1
    {
        apt-get update -q
        apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            postgresql
    } >&2
}

# Runs a server binary as the cluster's owner: `postgres` when we are root
# (from /, which that user can read, rather than a directory it may not).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
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

url_of() { # port database
    printf 'postgres://postgres@127.0.0.1:%s/%s\n' "$1" "$2"
}

start() { # dir
    local dir=$1 bin port attempt
    bin=$(server_bin)
    if [ -z "$bin" ]; then
        install_server
        bin=$(server_bin)
        [ -n "$bin" ] || die "PostgreSQL was installed but no initdb/pg_ctl was found"
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ ! -e "$dir/data" ] || die "$dir/data already exists: is a server already there? (scripts/postgres.sh stop $dir)"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root, initdb needs a 'postgres' user to own the cluster"
        chown postgres: "$dir"
        as_owner test -w "$dir" || die "the postgres user cannot write to $dir (a parent directory shuts it out): use a directory under /tmp"
    fi
    log "initdb $dir/data ($("$bin/initdb" --version))"
    # The C locale: text compares byte by byte, as the memory adapter and
    # SQLite do, so `$sort` and `$lt` on text agree across every storage.
    # --no-sync: nothing here has to survive a crash.
    if ! as_owner "$bin/initdb" -D "$dir/data" --locale=C --encoding=UTF8 --auth=trust -U postgres --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    fi
    mkdir -p "$dir/run"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/run"
    # A throwaway server: durability off (fsync, synchronous commit, full
    # pages) for speed; TCP on 127.0.0.1 only; its unix socket inside DIR
    # rather than /var/run/postgresql; enough connections for test binaries
    # running at once, each with pools of its own.
    cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/postgres.sh: a throwaway server for tests
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
    # The port is free when probed but may be taken before the server binds
    # it: try a few.
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/log" -o "-p $port" >&2; then
            echo "$port" >"$dir/port"
            url_of "$port" "$DATABASE" >"$dir/url"
            createdb_on "$dir" "$DATABASE" >/dev/null
            log "PostgreSQL listening on 127.0.0.1:$port (data and log in $dir)"
            cat "$dir/url"
            return
        fi
        log "the server did not start on port $port (attempt $attempt); its log:"
        tail -n 20 "$dir/log" >&2 || true
    done
    die "PostgreSQL did not start; see $dir/log"
}

createdb_on() { # dir name
    local dir=$1 name=$2 bin port
    [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "database name '$name': use lowercase letters, digits and _"
    [ -f "$dir/port" ] || die "no server started in $dir (no $dir/port)"
    port=$(cat "$dir/port")
    bin=$(server_bin)
    if [ -n "$bin" ] && [ -x "$bin/createdb" ]; then
        "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name" >&2
    else
        createdb -h 127.0.0.1 -p "$port" -U postgres "$name" >&2
    fi
    url_of "$port" "$name"
}

stop() { # dir
    local dir=$1 bin
    # Only a directory this script made is removed, whatever path is given.
    if [ ! -f "$dir/url" ] && [ ! -f "$dir/data/PG_VERSION" ]; then
        if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then
            rmdir "$dir"
            return
        fi
        [ ! -e "$dir" ] || die "$dir holds no server started by this script: not removing it"
        return
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin=$(server_bin)
        [ -n "$bin" ] || die "no pg_ctl to stop the server in $dir with"
        as_owner "$bin/pg_ctl" stop -w -t 60 -D "$dir/data" -m fast >&2 ||
            log "pg_ctl stop failed (already stopped?); removing $dir anyway"
    fi
    rm -rf "$dir"
}

# Stops the server of DIR and keeps DIR, for tests of a database outage.
stop_server() { # dir mode
    local dir=$1 mode=$2 bin
    [[ $mode =~ ^(smart|fast|immediate)$ ]] || die "stop mode '$mode': use smart, fast or immediate"
    [ -f "$dir/port" ] || die "no server started in $dir (no $dir/port)"
    bin=$(server_bin)
    [ -n "$bin" ] || die "no pg_ctl to stop the server in $dir with"
    as_owner "$bin/pg_ctl" stop -w -t 60 -D "$dir/data" -m "$mode" >&2
}

# Starts the stopped server of DIR again on its port (the URLs given out
# stay valid); fails if another process took the port meanwhile.
restart() { # dir
    local dir=$1 bin port
    [ -f "$dir/port" ] || die "no server started in $dir (no $dir/port)"
    port=$(cat "$dir/port")
    bin=$(server_bin)
    [ -n "$bin" ] || die "no pg_ctl to start the server in $dir with"
    as_owner "$bin/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/log" -o "-p $port" >&2 ||
        die "PostgreSQL did not start again on port $port; see $dir/log"
    log "PostgreSQL listening again on 127.0.0.1:$port"
}

run() { # cmd...
    [ $# -gt 0 ] || usage
    # Global: the EXIT trap runs after this function has returned.
    RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/auth-core-postgres.XXXXXX")
    # Stopped on every exit: CMD's failure, ours, or Ctrl-C; with CMD's
    # status.
    trap 'status=$?; (stop "$RUN_DIR") || true; exit $status' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    TEST_POSTGRES_URL=$(start "$RUN_DIR")
    export TEST_POSTGRES_URL
    log "TEST_POSTGRES_URL=$TEST_POSTGRES_URL"
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
stop-server)
    [ $# -eq 1 ] || [ $# -eq 2 ] || usage
    stop_server "$1" "${2:-immediate}"
    ;;
restart)
    [ $# -eq 1 ] || usage
    restart "$1"
    ;;
createdb)
    [ $# -eq 2 ] || usage
    createdb_on "$1" "$2"
    ;;
run)
    [ "${1-}" = "--" ] && shift
    run "$@"
    ;;
*) usage ;;
esac
