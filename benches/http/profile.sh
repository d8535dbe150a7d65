#!/usr/bin/env bash
# Instruction and allocation counts per request inside the axum handler,
# chat example against the hand-written baseline, under callgrind.
#
#   benches/http/profile.sh                 # get-anon and get-jwt, 2000 requests
#   REQUESTS=500 SCENARIOS=get-jwt benches/http/profile.sh
#   SCENARIOS="get-anon-sqlite get-jwt-sqlite" benches/http/profile.sh
#
# Unlike the wall clock (benches/http/run.sh), these counts do not move
# between runs. Only code run inside the handler's future is counted (the
# route, the hooks, the service, the reply); hyper, the trace layer and
# the kernel are not. In the -sqlite scenarios both servers keep their
# records in a fresh SQLite file each, and a second run counts the
# threads sqlx runs SQLite on ("db thread/req": all their work, which no
# function of the handler's encloses). Counting starts after the seeding
# (callgrind_control --zero). Valgrind runs SHA-256 in software,
# which the hardware does natively, so the HMAC's compression rounds are
# shown apart. Needs valgrind and curl. Env: REQUESTS (2000), SCENARIOS
# ("get-anon get-jwt"; -sqlite variants), SKIP_BUILD=1, PORT (3151).
set -euo pipefail

REQUESTS=${REQUESTS:-2000}
SCENARIOS=${SCENARIOS:-get-anon get-jwt}
PORT=${PORT:-3151}
HOST=127.0.0.1
AUTH_SECRET=http-bench-secret-0123456789abcdef0123456789abcdef
[[ $REQUESTS =~ ^[1-9][0-9]*$ ]] || { echo "REQUESTS must be a positive integer" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
# shellcheck source=../../scripts/harness.sh
source "$ROOT/scripts/harness.sh"
# The chat app keeps its records in memory here unless DATABASE_URL says
# otherwise (the binary's own default, ./chat.db, would outlive the run
# and change the figures): the figures so far are memory's.
export DATABASE_URL=${DATABASE_URL:-memory://}
harness_start http-profile
command -v valgrind >/dev/null || { log "valgrind is needed (Debian package valgrind)"; exit 1; }
command -v callgrind_annotate >/dev/null || { log "callgrind_annotate is needed"; exit 1; }

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --example chat -p examples >&2)
    (cd "$ROOT" && cargo build --release -p http-baseline >&2)
fi
declare -A BIN=([chat]=$TARGET/examples/chat [baseline]=$TARGET/baseline)

http() { curl -sS --max-time 60 "$@"; }

# "instructions sha256 mallocs" of the handler of one server over REQUESTS
# requests (mode handler), or "database_instructions" of its SQLite
# threads (mode database).
measure() { # server scenario mode
    local url="http://$HOST:$PORT" out="$WORK/$1.$2.out" pid token="" i args=() database=memory://
    # As in run.sh: DATABASE_URL is the chat app's in the memory scenarios.
    [[ $1 == chat ]] && database=$DATABASE_URL
    [[ $2 == *-sqlite ]] && database="sqlite://$WORK/$1.$2.$3.db"
    local toggle=(--toggle-collect='*axum::handler::Handler*')
    [[ $3 == database ]] && toggle=()
    # Valgrind names its gdb pipe after USER and HOST, and callgrind_control
    # must find it: both get the same values.
    USER=${USER:-root} HOST=$HOST PORT=$PORT AUTH_SECRET=$AUTH_SECRET RUST_LOG=off DATABASE_URL=$database \
        valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out.$3.%p" \
        "${toggle[@]}" "${BIN[$1]}" >"$WORK/$1.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for ((i = 0; i < 600; i++)); do
        http -o /dev/null "$url/messages/1" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || { log "$1 exited at start"; exit 1; }
        sleep 0.2
    done
    http -o /dev/null -f -H 'Content-Type: application/json' \
        -d '{"email":"bench@example.com","password":"bench-password-1"}' "$url/users"
    token=$(http -f -H 'Content-Type: application/json' \
        -d '{"strategy":"local","email":"bench@example.com","password":"bench-password-1"}' \
        "$url/authentication" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
    http -o /dev/null -f -H 'Content-Type: application/json' \
        -d '{"text":"Message number 0, written anonymously for the benchmark"}' "$url/messages"
    [[ $2 == get-jwt* ]] && args=(-H "Authorization: Bearer $token")
    USER=${USER:-root} HOST=$HOST callgrind_control --zero "$pid" >/dev/null 2>&1 ||
        { log "callgrind_control could not reset the counts of $1"; exit 1; }
    local urls=()
    for ((i = 0; i < REQUESTS; i++)); do urls+=("$url/messages/1"); done
    http -f "${args[@]}" "${urls[@]}" >/dev/null
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
    # Callee names are given once, then referred to by number; a cost line
    # right after `calls=` is that call's inclusive cost, not the caller's.
    python3 - "$3" "$out.$3".* <<'EOF'
import re, sys
total = sha = mallocs = database = 0
mode = sys.argv[1]
for path in sys.argv[2:]:
    text = open(path).read()
    match = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    count = int(match.group(1)) if match else 0
    if mode == "database":
        # One file per thread: only sqlx's SQLite threads step statements.
        if re.search(r"^c?fn=\(\d+\) sqlite3_step$", text, re.M):
            database += count
        continue
    total += count
    names = dict(re.findall(r"^c?fn=\((\d+)\) (.*)$", text, re.M))
    fn = None
    callee = None
    for line in text.splitlines():
        if line.startswith("fn="):
            m = re.match(r"fn=\((\d+)\)", line)
            fn = names.get(m.group(1), "")
            callee = None
        elif line.startswith("cfn="):
            callee = names.get(re.match(r"cfn=\((\d+)\)", line).group(1), "")
        elif line.startswith("calls="):
            if callee in ("malloc", "realloc", "calloc"):
                mallocs += int(line.split()[0][6:])
        elif line and line[0] in "0123456789+-*" and callee is None and "compress256" in (fn or ""):
            parts = line.split()
            if len(parts) > 1:
                sha += int(parts[1])
        elif line and line[0] in "0123456789+-*":
            callee = None
print(database if mode == "database" else f"{total} {sha} {mallocs}")
EOF
}

for scenario in $SCENARIOS; do
    case $scenario in
        get-anon | get-jwt | get-anon-sqlite | get-jwt-sqlite) ;;
        *) log "unknown scenario '$scenario' (get-anon get-jwt get-anon-sqlite get-jwt-sqlite)"; exit 2 ;;
    esac
done
printf '%-16s %-9s %14s %14s %14s %10s %14s\n' scenario server "instr/req" "sha256/req" "other/req" \
    "allocs/req" "db thread/req"
for scenario in $SCENARIOS; do
    for server in chat baseline; do
        read -r total sha mallocs < <(measure "$server" "$scenario" handler)
        database=0
        [[ $scenario == *-sqlite ]] && read -r database < <(measure "$server" "$scenario" database)
        awk -v s="$scenario" -v n="$server" -v t="$total" -v h="$sha" -v m="$mallocs" -v d="$database" \
            -v r="$REQUESTS" 'BEGIN { printf "%-16s %-9s %14.0f %14.0f %14.0f %10.1f %14.0f\n",
                s, n, t / r, h / r, (t - h) / r, m / r, d / r }'
    done
done
