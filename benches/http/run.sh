#!/usr/bin/env bash
# HTTP load harness: the chat example (the framework) against the
# hand-written axum baseline (benches/http), same routes, same work.
#
#   benches/http/run.sh                  # the memory scenarios, 3 rounds of 10 s
#   DURATION=5 SCENARIOS="get-jwt login" benches/http/run.sh
#   SCENARIOS="get-anon get-anon-sqlite" benches/http/run.sh
#   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5433/postgres \
#       SCENARIOS=get-anon-postgres benches/http/run.sh
#
# Env: DURATION (s, 10), CONNECTIONS (32), ROUNDS (3), WARMUP (s, 2),
# SCENARIOS (default "get-anon get-jwt find-anon login"; each may end in
# -sqlite or -postgres to run both servers on that storage), CHAT_PORT
# (3131), BASELINE_PORT (3132), AUTH_SECRET (a fixed bench secret),
# SKIP_BUILD=1 to use the binaries already built, RUST_LOG (both servers'
# log filter; their per-request log lines go to $LOG_DIR/<name>.log,
# /dev/null by default), LOG_REFERENCE (1: also run both servers with
# RUST_LOG=off, chat-nolog and baseline-nolog, on CHAT_NOLOG_PORT (3133)
# and BASELINE_NOLOG_PORT (3134), for the log-cost ratios; 0: not),
# BENCH_POSTGRES_URL (a PostgreSQL server the -postgres scenarios may
# create a database per server on; dropped at exit).
# Servers run on core 0, wrk on core 1, loopback only. Stops by itself.
set -euo pipefail

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-2}
SCENARIOS=${SCENARIOS:-get-anon get-jwt find-anon login}
SCENARIOS=${SCENARIOS//,/ }
CHAT_PORT=${CHAT_PORT:-3131}
BASELINE_PORT=${BASELINE_PORT:-3132}
CHAT_NOLOG_PORT=${CHAT_NOLOG_PORT:-3133}
BASELINE_NOLOG_PORT=${BASELINE_NOLOG_PORT:-3134}
LOG_REFERENCE=${LOG_REFERENCE:-1}
AUTH_SECRET=${AUTH_SECRET:-http-bench-secret-0123456789abcdef0123456789abcdef}
HOST=127.0.0.1
EMAIL=bench@example.com
PASSWORD=bench-password-1
MESSAGES=20

for number in DURATION CONNECTIONS ROUNDS WARMUP CHAT_PORT BASELINE_PORT CHAT_NOLOG_PORT BASELINE_NOLOG_PORT; do
    [[ ${!number} =~ ^[1-9][0-9]*$ ]] || { echo "$number must be a positive integer" >&2; exit 2; }
done
[[ $LOG_REFERENCE == 0 || $LOG_REFERENCE == 1 ]] || { echo "LOG_REFERENCE must be 0 or 1" >&2; exit 2; }
# A scenario is a request (get-anon ...) and, after a dash, the storage
# both servers keep their records in; none is memory.
request_of() { local request=${1%-sqlite}; echo "${request%-postgres}"; }
storage_of() {
    case $1 in
        *-sqlite) echo sqlite ;;
        *-postgres) echo postgres ;;
        *) echo memory ;;
    esac
}
for scenario in $SCENARIOS; do
    case $(request_of "$scenario") in
        get-anon | get-jwt | find-anon | login) ;;
        *) echo "unknown scenario '$scenario' (get-anon get-jwt find-anon login, each alone or with -sqlite or -postgres)" >&2
            exit 2 ;;
    esac
    if [[ $(storage_of "$scenario") == postgres && -z ${BENCH_POSTGRES_URL:-} ]]; then
        echo "$scenario needs a PostgreSQL server: set BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/DB" \
            "(a role that may create databases; see benches/http/README.md)" >&2
        exit 2
    fi
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
# shellcheck source=../../scripts/harness.sh
source "$ROOT/scripts/harness.sh"
# In the memory scenarios the chat app keeps its records in memory unless
# DATABASE_URL says otherwise (the binary's own default, ./chat.db, would
# outlive the run and change the figures), and the baseline always does.
MEMORY_URL=${DATABASE_URL:-memory://}
unset DATABASE_URL
harness_start http-bench

# ---- (a) the load generator ----
LOADGEN=wrk
if ! have_wrk; then
    log "wrk is unavailable: falling back to oha"
    command -v oha >/dev/null || cargo install oha >&2
    LOADGEN=oha
fi
command -v curl >/dev/null || { log "curl is needed to seed the servers"; exit 1; }
command -v taskset >/dev/null || { log "taskset (util-linux) is needed"; exit 1; }
STORAGES=()
for storage in memory sqlite postgres; do
    for scenario in $SCENARIOS; do
        if [[ $(storage_of "$scenario") == "$storage" ]]; then STORAGES+=("$storage"); break; fi
    done
done
if [[ " ${STORAGES[*]} " == *" postgres "* ]]; then
    command -v psql >/dev/null || { log "psql is needed for the -postgres scenarios"; exit 1; }
fi

# ---- (b) the servers ----
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --example chat -p examples >&2)
    (cd "$ROOT" && cargo build --release -p http-baseline >&2)
fi
# The -nolog servers (the logging reference) are the same binaries with
# RUST_LOG=off.
declare -A BIN=([chat]=$TARGET/examples/chat [baseline]=$TARGET/baseline
    [chat-nolog]=$TARGET/examples/chat [baseline-nolog]=$TARGET/baseline)

# ---- (c) start and seed ----
declare -A PORT=([chat]=$CHAT_PORT [baseline]=$BASELINE_PORT
    [chat-nolog]=$CHAT_NOLOG_PORT [baseline-nolog]=$BASELINE_NOLOG_PORT)
declare -A TOKEN=()

http() { curl -sS --max-time 30 "$@"; }

start() { # name binary database_url log_name
    local name=$1 binary=$2 port=${PORT[$1]} i filter=${RUST_LOG:-info}
    if http -o /dev/null "http://$HOST:$port/" 2>/dev/null; then
        log "port $port is already in use"; exit 1
    fi
    [[ $name == *-nolog ]] && filter=off
    HOST=$HOST PORT=$port AUTH_SECRET=$AUTH_SECRET DATABASE_URL=$3 RUST_LOG=$filter taskset -c 0 "$binary" \
        >"${LOG_DIR:-/dev/null}${LOG_DIR:+/$4.log}" 2>&1 &
    PIDS+=($!)
    for ((i = 0; i < 100; i++)); do
        http -o /dev/null "http://$HOST:$port/messages/1" 2>/dev/null && return 0
        kill -0 "${PIDS[-1]}" 2>/dev/null || {
            if [[ -n ${LOG_DIR:-} ]]; then
                log "$name exited at start: see $LOG_DIR/$4.log"
            else
                log "$name exited at start: run with LOG_DIR=DIR to see why"
            fi
            exit 1
        }
        sleep 0.1
    done
    log "$name did not start listening on $port"; exit 1
}

# Stops the servers started so far (the harness would at exit), so that the
# next storage's servers take the same ports.
stop_servers() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}

# PostgreSQL: one fresh database per server on BENCH_POSTGRES_URL's
# server, dropped at exit (after the harness has stopped the servers).
PG_DATABASES=()
pg_url() { # database: BENCH_POSTGRES_URL with its database replaced
    local url=$BENCH_POSTGRES_URL query="" authority
    if [[ $url == *\?* ]]; then query="?${url#*\?}"; url=${url%%\?*}; fi
    authority=${url#*://}
    echo "${url%%://*}://${authority%%/*}/$1$query"
}
pg_drop_databases() {
    local database
    for database in "${PG_DATABASES[@]}"; do
        psql -q -X "$BENCH_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 ||
            log "could not drop the PostgreSQL database $database"
    done
}
trap 'harness_cleanup; pg_drop_databases' EXIT
pg_create_database() { # name: sets URL
    local database="http_bench_${1//-/_}_$$"
    psql -q -X -v ON_ERROR_STOP=1 "$BENCH_POSTGRES_URL" -c "CREATE DATABASE $database" >/dev/null ||
        { log "could not create the PostgreSQL database $database on BENCH_POSTGRES_URL's server"; exit 1; }
    PG_DATABASES+=("$database")
    URL=$(pg_url "$database")
}

# Sets URL to the DATABASE_URL of a server for a storage: memory as
# before, a fresh file or database of its own otherwise. (Not a $(..):
# the databases it creates must be remembered for the cleanup.)
database_url() { # storage name
    case $1 in
        memory) if [[ $2 == chat* ]]; then URL=$MEMORY_URL; else URL=memory://; fi ;;
        sqlite) URL="sqlite://$WORK/$2.db" ;;
        postgres) pg_create_database "$2" ;;
    esac
}

seed() { # name
    local name=$1 url="http://$HOST:${PORT[$1]}" i reply
    http -o /dev/null -f -H 'Content-Type: application/json' \
        -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$url/users"
    reply=$(http -f -H 'Content-Type: application/json' \
        -d "{\"strategy\":\"local\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" "$url/authentication")
    TOKEN[$name]=$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' <<<"$reply")
    [[ -n ${TOKEN[$name]} ]] || { log "$name: no token in $reply"; exit 1; }
    for ((i = 0; i < MESSAGES; i++)); do
        http -o /dev/null -f -H 'Content-Type: application/json' \
            -d "{\"text\":\"Message number $i, written anonymously for the benchmark\"}" "$url/messages"
    done
}

cat >"$WORK/login.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"strategy":"local","email":"$EMAIL","password":"$PASSWORD"}'
wrk.headers["Content-Type"] = "application/json"
EOF

describe() {
    local where
    case $(storage_of "$1") in
        memory) where="" ;;
        sqlite) where=", both on SQLite (a fresh file each, WAL)" ;;
        postgres) where=", both on PostgreSQL (a fresh database each)" ;;
    esac
    case $(request_of "$1") in
        get-anon) echo "GET /messages/1, anonymous$where" ;;
        get-jwt) echo "GET /messages/1, Authorization: Bearer <jwt>$where" ;;
        find-anon) echo "GET /messages?\$limit=10, anonymous$where" ;;
        login) echo "POST /authentication, strategy local (argon2id)$where" ;;
    esac
}

# The check and the load of a scenario against a server.
scenario_url() {
    case $(request_of "$1") in
        get-anon | get-jwt) echo "/messages/1" ;;
        find-anon) echo '/messages?$limit=10' ;;
        login) echo "/authentication" ;;
    esac
}

check() { # scenario server: the status must be 200 (201 for login)
    local url="http://$HOST:${PORT[$2]}$(scenario_url "$1")" status args=()
    case $(request_of "$1") in
        get-jwt) args=(-H "Authorization: Bearer ${TOKEN[$2]}") ;;
        login) args=(-H 'Content-Type: application/json'
            -d "{\"strategy\":\"local\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}") ;;
    esac
    status=$(http -o "$WORK/check.$2.json" -w '%{http_code}' "${args[@]}" "$url")
    if [[ $status != 200 && $status != 201 ]]; then
        log "$2 answers $1 with $status: $(cat "$WORK/check.$2.json")"; exit 1
    fi
}

# The reads must answer the same bytes on both servers (a login's token
# differs by its time and id).
check_same() { # scenario
    [[ $(request_of "$1") == login ]] && return 0
    cmp -s "$WORK/check.chat.json" "$WORK/check.baseline.json" || {
        log "$1: the servers answer different bodies:"
        log "  chat:     $(cat "$WORK/check.chat.json")"
        log "  baseline: $(cat "$WORK/check.baseline.json")"
        exit 1
    }
}

load() { # scenario server seconds output
    local url="http://$HOST:${PORT[$2]}$(scenario_url "$1")" args=()
    if [[ $LOADGEN == wrk ]]; then
        case $(request_of "$1") in
            get-jwt) args=(-H "Authorization: Bearer ${TOKEN[$2]}") ;;
            login) args=(-s "$WORK/login.lua") ;;
        esac
        timeout $(($3 + 60)) taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$3s" --timeout 30s --latency \
            "${args[@]}" "$url" >"$4"
    else
        case $(request_of "$1") in
            get-jwt) args=(-H "Authorization: Bearer ${TOKEN[$2]}") ;;
            login) args=(-m POST -T application/json
                -d "{\"strategy\":\"local\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}") ;;
        esac
        timeout $(($3 + 60)) taskset -c 1 oha --no-tui -c "$CONNECTIONS" -z "$3s" -t 30s \
            "${args[@]}" "$url" >"$4"
    fi
}

# "req/s p50_ms p99_ms non2xx errors" from a load generator's output.
parse() {
    awk -v gen="$LOADGEN" '
        function ms(v,   n, u) {
            n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "ms") return n
            if (u == "s") return n * 1000
            if (u == "m") return n * 60000
            return n
        }
        BEGIN { rps = 0; p50 = 0; p99 = 0; bad = 0; err = 0 }
        gen == "wrk" && /Requests\/sec:/ { rps = $2 }
        gen == "wrk" && $1 == "50%" { p50 = ms($2) }
        gen == "wrk" && $1 == "99%" { p99 = ms($2) }
        gen == "wrk" && /Non-2xx or 3xx responses:/ { bad = $NF }
        gen == "wrk" && /Socket errors:/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
        gen == "oha" && /Requests\/sec:/ { rps = $2 }
        gen == "oha" && $1 ~ /^50(\.00)?%$/ { p50 = $3 * 1000 }
        gen == "oha" && $1 ~ /^99(\.00)?%$/ { p99 = $3 * 1000 }
        gen == "oha" && /^ *\[[0-9]+\] [0-9]+ responses/ {
            code = $1; gsub(/[][]/, "", code); if (code !~ /^2/) bad += $2
        }
        gen == "oha" && /^ *\[[0-9]+\] .*errors?/ { err += $2 }
        END { printf "%s %.3f %.3f %d %d\n", rps, p50, p99, bad, err }
    ' "$1"
}

median() { # numbers...
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---- (d) the runs, interleaved chat / baseline, one storage at a time ----
SERVERS=(chat baseline)
((LOG_REFERENCE)) && SERVERS+=(chat-nolog baseline-nolog)
for storage in "${STORAGES[@]}"; do
    log "starting the servers on $storage (core 0) and seeding them: 1 user, 1 login, $MESSAGES messages"
    suffix=${storage/#memory/}
    for server in "${SERVERS[@]}"; do
        database_url "$storage" "$server"
        start "$server" "${BIN[$server]}" "$URL" "$server${suffix:+-$suffix}"
    done
    for server in "${SERVERS[@]}"; do
        seed "$server"
    done
    for scenario in $SCENARIOS; do
        [[ $(storage_of "$scenario") == "$storage" ]] || continue
        for server in "${SERVERS[@]}"; do
            check "$scenario" "$server"
        done
        check_same "$scenario"
        for server in "${SERVERS[@]}"; do
            log "$scenario: warming up $server (${WARMUP}s)"
            load "$scenario" "$server" "$WARMUP" "$WORK/warmup.txt"
        done
        for ((round = 1; round <= ROUNDS; round++)); do
            for server in "${SERVERS[@]}"; do
                log "$scenario: round $round/$ROUNDS, $server (${DURATION}s, $CONNECTIONS connections)"
                load "$scenario" "$server" "$DURATION" "$WORK/raw.$scenario.$server.$round"
                parse "$WORK/raw.$scenario.$server.$round" >"$WORK/$scenario.$server.$round"
            done
        done
    done
    stop_servers
done

# ---- (e) the table ----
echo
echo "HTTP load: chat example vs hand-written axum baseline ($LOADGEN, 1 thread, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds, servers on core 0, load generator on core 1)"
echo "log filter (chat, baseline): RUST_LOG=${RUST_LOG:-info (default)}, to ${LOG_DIR:-/dev/null}"
((LOG_REFERENCE)) && echo "logging reference: chat-nolog and baseline-nolog, the same binaries with RUST_LOG=off"
echo "baseline: the contract's per-answer and per-connection work $([[ ${CONTRACT_LAYERS:-1} == 0 ]] && echo off || echo on) (CONTRACT_LAYERS=${CONTRACT_LAYERS:-1})"
WARNINGS=()
for scenario in $SCENARIOS; do
    echo
    echo "== $scenario: $(describe "$scenario")"
    header="server        "
    for ((round = 1; round <= ROUNDS; round++)); do header+=$(printf ' %10s' "r$round req/s"); done
    header+=$(printf ' %12s %10s %10s %8s' "median req/s" "p50 ms" "p99 ms" "non-2xx")
    echo "$header"
    declare -A MEDIAN=()
    for server in "${SERVERS[@]}"; do
        rps=() p50=() p99=() bad=0 err=0
        for ((round = 1; round <= ROUNDS; round++)); do
            read -r r a b n e <"$WORK/$scenario.$server.$round"
            rps+=("$r") p50+=("$a") p99+=("$b")
            bad=$((bad + n)) err=$((err + e))
        done
        MEDIAN[$server]=$(median "${rps[@]}")
        line=$(printf '%-14s' "$server")
        for r in "${rps[@]}"; do line+=$(printf ' %10.0f' "$r"); done
        line+=$(printf ' %12.0f %10.2f %10.2f %8d' "${MEDIAN[$server]}" "$(median "${p50[@]}")" \
            "$(median "${p99[@]}")" "$bad")
        echo "$line"
        ((bad == 0)) || WARNINGS+=("$scenario/$server: $bad non-2xx responses")
        ((err == 0)) || WARNINGS+=("$scenario/$server: $err socket errors")
    done
    ratio() { # label numerator denominator
        awk -v l="$1" -v c="${MEDIAN[$2]}" -v b="${MEDIAN[$3]}" \
            'BEGIN { if (b > 0) printf "ratio %s (median req/s): %.2f\n", l, c / b; else printf "ratio %s: n/a\n", l }'
    }
    ratio chat/baseline chat baseline
    if ((LOG_REFERENCE)); then
        ratio "chat-nolog/baseline-nolog (neither logs)" chat-nolog baseline-nolog
        ratio "log cost, chat/chat-nolog" chat chat-nolog
        ratio "log cost, baseline/baseline-nolog" baseline baseline-nolog
    fi
    unset MEDIAN
done
echo "(p50/p99: median over the rounds; non-2xx: summed over the rounds)"
if ((${#WARNINGS[@]})); then
    echo
    printf 'WARNING: %s\n' "${WARNINGS[@]}"
fi
