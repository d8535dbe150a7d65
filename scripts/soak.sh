#!/usr/bin/env bash
# Soak test: the chat example under a mixed load of HTTP requests and
# Socket.IO clients, on memory, SQLite or PostgreSQL, watching for wrong
# answers, missed events, socket errors, sockets left behind and memory
# growth.
#
#   scripts/soak.sh                           # memory, 10 s warm-up, 60 s of load
#   DATABASE=sqlite DURATION=600 scripts/soak.sh
#   DATABASE=postgres DURATION=600 SKIP_BUILD=1 scripts/soak.sh
#
# What it does: builds the chat example in release (unless SKIP_BUILD=1),
# installs the Node clients of scripts/soak-sockets/ (`npm ci`, once),
# starts the chat app on loopback with a fixed AUTH_SECRET and the login
# limits off (LOGIN_LIMITS=off: here the logins are the load; server on
# core 0, the load on core 1 with taskset), seeds USERS shared users (each
# logged in once for a token), SOCKETS socket users (one per cycling
# socket) and MESSAGES messages, runs the mix for WARMUP seconds, then for
# DURATION seconds, and reports.
#
# Storage (DATABASE): `memory` (memory://, the default), `sqlite` (a fresh
# file in the run's temporary folder), or `postgres` (a throwaway server
# started for the run by scripts/postgres.sh, in a temporary folder of
# /tmp, with a database of its own; stopped and removed at exit). Or set
# DATABASE_URL yourself (an existing database: it must be empty, as the
# seeded ids are counted from 1 on) and leave DATABASE unset.
#
# The HTTP mix: one wrk process per kind of request, all at once, each with
# one thread and the connections below. One kind per process is what makes
# the counts exact: wrk's Lua `response()` is not told which request a
# response answers, so a process mixing kinds on several connections could
# not say whether a 401 came from a bad token or from a good one.
# Proportions are set by connections (each connection is a closed loop: one
# request in flight); the report gives each kind's share of the requests.
#
# Every write is an event to every socket, so the writer sets the event
# rate the socket clients (one Node process, on the load's core) must read.
# On SQLite and PostgreSQL the database paces it (~90 writes, so ~180
# events, a second per socket). On memory, unpaced, it was ~900 a second
# per socket, 45,000 a second into the clients' process: that process fell
# behind, and the server dropped long-polling sockets whose 256-packet
# queue filled around their upgrade, as designed for a reader that does not
# keep up (a load test of its own, tests/socketio.rs). A soak is about
# time, not overload: on memory the writer waits WRITE_DELAY_MS (5) before
# each request, about the SQL stores' rate; on them it does not wait (0).
#
#   kind        conns  requests                                     expected
#   find          4    GET /messages (3 query strings), anonymous   200
#   get           4    GET /messages/<seeded id>, anonymous         200
#   login         2    POST /authentication, local, good password   201 + accessToken
#   write         1    POST /messages with a Bearer token, then     201, then 200
#                      DELETE /messages/<that id> with the same
#                      token (its author's): the store stays the
#                      same size, so memory growth means a leak;
#                      WRITE_DELAY_MS between two requests
#   bad-token     2    GET /messages/1 and POST /messages with a    401 NotAuthenticated
#                      tampered, an alg-none or a garbage token
#   unknown-id    2    GET /messages/<an id that never exists>      404 NotFound
#
# The socket mix (scripts/soak-sockets/, the official Feathers v5 client:
# @feathersjs/feathers, socketio-client, authentication-client and
# socket.io-client 4), during the warm-up and the soak:
# - cycle.mjs: SOCKETS sockets, each in a loop: connect (WebSocket; one in
#   five long-polling, then upgraded), stay anonymous or log in (by turns:
#   the local strategy as the socket's own user, at most SOCKET_LOGINS at
#   once, as the server lets one address have only 8 password checks
#   waiting; or jwt with a shared user's token), check `secrets` (the
#   secret, or 401 when anonymous), find, get a seeded message, get an
#   unknown id (404), POST a message over REST and DELETE it, waiting on
#   the socket for both events, and when logged in create and remove one
#   over the socket, waiting for those events too; log out now and then
#   (own users only: a logout revokes every token of its user); disconnect.
#   Every answer is checked; an event not received within SOCKET_WAIT_MS
#   is missed. It also counts the `messages created` events of the wrk
#   writers that reached a socket.
# - stall.mjs, during the soak only: STALLED sockets connect (anonymous, so
#   every message event is sent to them), then their process is stopped
#   with SIGSTOP for STALL_SECONDS: they read nothing and answer no ping.
#   The server must have let every one of them go by then (a missed ping:
#   25 s + 20 s; or a full per-socket buffer); then the process is killed
#   and a new one starts, for as long as the soak lasts.
#
# Connections: the server's established TCP connections on PORT (`ss`,
# those the server's pid holds) are counted after seeding (the baseline),
# at every sample, and after everything stopped: within SETTLE seconds
# they must be back to the baseline (no socket left behind).
#
# Logins stay at 2 wrk connections (and one socket in three): each
# argon2id verification holds 19 MiB while it runs, so concurrent logins
# set the server's memory high-water mark. RSS (VmRSS of
# /proc/<pid>/status) is sampled after seeding, after the warm-up (the
# start: allocator arenas and tokio's blocking threads have grown by then),
# every SAMPLE seconds, and at the end.
#
# Exit status: 0 when every HTTP and socket answer was expected, wrk saw no
# socket error or timeout, no socket failed to connect, was dropped
# mid-cycle or missed an event it waited for, the wrk writers' events
# reached the sockets, the server let every stalled socket go, the
# connections went back to the baseline, the server is still answering,
# and RSS at the end is at most RSS_FACTOR x start + RSS_SLACK_MB; 1
# otherwise (the reasons are printed).
#
# Env: DATABASE (memory), DATABASE_URL (see above), DURATION (s, 60),
# WARMUP (s, 10), SAMPLE (s, 5), PORT (3133), AUTH_SECRET (a fixed soak
# secret), USERS (4), MESSAGES (20), RSS_FACTOR (2), RSS_SLACK_MB (20),
# CONNECTIONS (per kind, "find=4 get=4 login=2 write=1 bad-token=2
# unknown-id=2"), SOCKETS (cycling sockets, 50; 0 for none), SOCKET_LOGINS
# (their local logins at once, 4), WRITE_DELAY_MS (the writer's pause
# before each request, 5 on memory, 0 on SQLite and PostgreSQL), STALLED (stalled sockets at a time, 3;
# 0 for none), STALL_SECONDS (90), SOCKET_WAIT_MS (how long a socket call
# or an awaited event may take, 15000), SETTLE (s, 30), SKIP_BUILD=1 to
# use the binary already built, LOG_DIR (the server's per-request log lines
# go to $LOG_DIR/chat.log, /dev/null by default), RUST_LOG (the server's
# log filter). Needs wrk (installed from Debian's packages if missing),
# curl, ss, node and npm.
set -euo pipefail

DURATION=${DURATION:-60}
WARMUP=${WARMUP:-10}
SAMPLE=${SAMPLE:-5}
PORT=${PORT:-3133}
AUTH_SECRET=${AUTH_SECRET:-soak-secret-0123456789abcdef0123456789abcdef}
USERS=${USERS:-4}
MESSAGES=${MESSAGES:-20}
RSS_FACTOR=${RSS_FACTOR:-2}
RSS_SLACK_MB=${RSS_SLACK_MB:-20}
CONNECTIONS=${CONNECTIONS:-find=4 get=4 login=2 write=1 bad-token=2 unknown-id=2}
SOCKETS=${SOCKETS:-50}
STALLED=${STALLED:-3}
STALL_SECONDS=${STALL_SECONDS:-90}
SOCKET_WAIT_MS=${SOCKET_WAIT_MS:-15000}
SOCKET_LOGINS=${SOCKET_LOGINS:-4}
if [[ ${DATABASE:-} == memory || (-z ${DATABASE:-} && ${DATABASE_URL:-memory://} == memory://*) ]]; then
    WRITE_DELAY_MS=${WRITE_DELAY_MS:-5}
else
    WRITE_DELAY_MS=${WRITE_DELAY_MS:-0}
fi
SETTLE=${SETTLE:-30}
HOST=127.0.0.1
PASSWORD=soak-password-1
KINDS=(find get login write bad-token unknown-id)

for number in DURATION WARMUP SAMPLE PORT USERS MESSAGES RSS_FACTOR RSS_SLACK_MB STALL_SECONDS \
    SOCKET_WAIT_MS SOCKET_LOGINS SETTLE; do
    [[ ${!number} =~ ^[1-9][0-9]*$ ]] || { echo "$number must be a positive integer" >&2; exit 2; }
done
for number in SOCKETS STALLED WRITE_DELAY_MS; do
    [[ ${!number} =~ ^(0|[1-9][0-9]*)$ ]] || { echo "$number must be a whole number" >&2; exit 2; }
done
declare -A CONNS=()
for pair in $CONNECTIONS; do
    CONNS[${pair%%=*}]=${pair#*=}
done
for kind in "${KINDS[@]}"; do
    [[ ${CONNS[$kind]:-} =~ ^[1-9][0-9]*$ ]] ||
        { echo "CONNECTIONS needs a positive count for '$kind' (got '$CONNECTIONS')" >&2; exit 2; }
done
# One connection for writes: their DELETE follows their own POST.
[[ ${CONNS[write]} == 1 ]] || { echo "CONNECTIONS: write must be 1" >&2; exit 2; }
if [[ -n ${DATABASE:-} && -n ${DATABASE_URL:-} ]]; then
    echo "set DATABASE or DATABASE_URL, not both" >&2; exit 2
fi
case ${DATABASE:-} in
'' | memory | sqlite | postgres) ;;
*) echo "DATABASE must be memory, sqlite or postgres (got '$DATABASE')" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BINARY=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/chat
CLIENTS=$ROOT/scripts/soak-sockets
# shellcheck source=harness.sh
source "$ROOT/scripts/harness.sh"
harness_start soak
# A command that stops the script (set -e) says where.
trap 'log "soak.sh: stopped at line $LINENO (status $?)"' ERR
SERVER_PID=
POSTGRES_DIR=
stop_postgres() {
    [[ -n $POSTGRES_DIR ]] || return 0
    "$ROOT/scripts/postgres.sh" stop "$POSTGRES_DIR" || true
}
# The server is stopped (harness_cleanup) before its database.
trap 'harness_cleanup; stop_postgres' EXIT

# ---- tools ----
have_wrk || { log "wrk could not be installed"; exit 1; }
for tool in curl ss node npm; do
    command -v "$tool" >/dev/null || { log "$tool is needed"; exit 1; }
done
PIN_SERVER=() PIN_LOAD=()
if command -v taskset >/dev/null && taskset -c 1 true 2>/dev/null; then
    PIN_SERVER=(taskset -c 0) PIN_LOAD=(taskset -c 1)
    PINNING="server on core 0, wrk and the socket clients on core 1"
else
    PINNING="no pinning (taskset missing or fewer than 2 cores)"
fi

# ---- build ----
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --example chat -p examples >&2)
fi
[[ -x $BINARY ]] || { log "no chat binary at $BINARY (build it, or unset SKIP_BUILD)"; exit 1; }
if ((SOCKETS + STALLED > 0)) && [[ ! -d $CLIENTS/node_modules ]]; then
    log "installing the socket clients (npm ci in $CLIENTS)"
    (cd "$CLIENTS" && npm ci --no-audit --no-fund >&2)
fi

# ---- storage ----
# The chat app keeps its records where DATABASE_URL says; never its own
# default, ./chat.db, which would outlive the run and change the figures.
case ${DATABASE:-} in
sqlite) DATABASE_URL="sqlite://$WORK/chat.db" ;;
postgres)
    # Not inside $WORK: as root the cluster belongs to the postgres user,
    # who can not get through a folder of mktemp's (mode 700).
    POSTGRES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/soak-postgres.XXXXXX")
    "$ROOT/scripts/postgres.sh" start "$POSTGRES_DIR" >/dev/null
    DATABASE_URL=$("$ROOT/scripts/postgres.sh" createdb "$POSTGRES_DIR" soak)
    ;;
*) DATABASE_URL=${DATABASE_URL:-memory://} ;;
esac
export DATABASE_URL
STORAGE=${DATABASE_URL%%:*}
[[ $STORAGE != postgres* ]] || STORAGE="postgres (${DATABASE_URL##*/})"

# ---- start and seed ----
URL="http://$HOST:$PORT"
http() { curl -sS --max-time 30 "$@"; }
json() { http -f -H 'Content-Type: application/json' "$@"; }

if http -o /dev/null "$URL/" 2>/dev/null; then
    log "port $PORT is already in use"; exit 1
fi
# The login limits are for attackers: here the logins are the load.
HOST=$HOST PORT=$PORT AUTH_SECRET=$AUTH_SECRET LOGIN_LIMITS=off "${PIN_SERVER[@]}" "$BINARY" \
    >"${LOG_DIR:-/dev/null}${LOG_DIR:+/chat.log}" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for ((i = 0; ; i++)); do
    http -o /dev/null "$URL/messages" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { log "the server exited at start"; exit 1; }
    ((i < 300)) || { log "the server did not start listening on $PORT"; exit 1; }
    sleep 0.1
done

rss_kb() { # the server's VmRSS in kB; 0 once it has exited
    local kb
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null) || kb=0
    echo "${kb:-0}"
}
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
# The server's established TCP connections on PORT, one line each:
# "peer-port send-queue-bytes".
server_peers() {
    ss -tnpH state established "( sport = :$PORT )" 2>/dev/null |
        awk -v pid="pid=$SERVER_PID," 'index($0, pid) { n = split($4, a, ":"); print a[n], $2 }'
}
server_connections() { server_peers | wc -l; }
# Sockets among the server's open files (TCP to clients and to PostgreSQL,
# the listener, internal pipes of the runtime are not counted).
# A file may close while it is looked at (find then fails): counted anyway.
server_socket_fds() {
    { find "/proc/$SERVER_PID/fd" -lname 'socket:*' 2>/dev/null || true; } | wc -l
}
# The local ports of a client process's established connections to PORT.
client_ports() { # pid
    ss -tnpH state established "( dport = :$PORT )" 2>/dev/null |
        awk -v pid="pid=$1," 'index($0, pid) { n = split($3, a, ":"); print a[n] }'
}

log "seeding: $USERS shared users (one login each), $MESSAGES anonymous messages"
EMAILS=() TOKENS=() USER_IDS=() SEEDED_IDS=()
json_number() { sed -n "s/.*\"$1\":\\([0-9][0-9]*\\).*/\\1/p"; }
for ((i = 1; i <= USERS; i++)); do
    email="soak-$i@example.com"
    reply=$(json -d "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}" "$URL/users")
    id=$(json_number id <<<"$reply")
    [[ -n $id ]] || { log "no id in $reply"; exit 1; }
    reply=$(json -d "{\"strategy\":\"local\",\"email\":\"$email\",\"password\":\"$PASSWORD\"}" \
        "$URL/authentication")
    token=$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' <<<"$reply")
    [[ -n $token ]] || { log "no token in $reply"; exit 1; }
    EMAILS+=("$email") TOKENS+=("$token") USER_IDS+=("$id")
done
# One user of its own per cycling socket, for its local logins and its
# logouts: a logout revokes every token of its user, which must not reach
# the shared users' tokens above.
SOCKET_USER_IDS=()
if ((SOCKETS > 0)); then
    log "seeding: $SOCKETS socket users"
fi
for ((i = 0; i < SOCKETS; i++)); do
    reply=$(json -d "{\"email\":\"soak-socket-$i@example.com\",\"password\":\"$PASSWORD\"}" "$URL/users")
    id=$(json_number id <<<"$reply")
    [[ -n $id ]] || { log "no id in $reply"; exit 1; }
    SOCKET_USER_IDS+=("$id")
done
for ((i = 0; i < MESSAGES; i++)); do
    reply=$(json -d "{\"text\":\"Seeded message $i\"}" "$URL/messages")
    id=$(json_number id <<<"$reply")
    [[ -n $id ]] || { log "no id in $reply"; exit 1; }
    SEEDED_IDS+=("$id")
done

# Bad tokens: a real one with a signature character changed, one with
# `alg: none` and no signature, and one that is not a JWT at all.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
good=${TOKENS[0]}
signature=${good##*.}
middle=$((${#signature} / 2))
swapped=$([[ ${signature:middle:1} == A ]] && echo B || echo A)
TAMPERED="${good%.*}.${signature:0:middle}$swapped${signature:middle+1}"
ALG_NONE="$(printf '{"alg":"none","typ":"access"}' | b64url).${good#*.}"
ALG_NONE="${ALG_NONE%.*}."
GARBAGE="not-a-jwt"
for bad in "$TAMPERED" "$ALG_NONE" "$GARBAGE"; do
    status=$(http -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $bad" "$URL/messages/1")
    [[ $status == 401 ]] || { log "a bad token is answered $status, not 401: $bad"; exit 1; }
done
RSS_SEEDED=$(rss_kb)
sleep 1 # curl's connections are closed
CONNS_BASELINE=$(server_connections)
FDS_BASELINE=$(server_socket_fds)

# What the socket clients need to know, as JSON.
SOCKET_CONFIG=$(
    users="" socket_users="" seeded=""
    for ((i = 0; i < USERS; i++)); do
        users+="${users:+,}{\"id\":${USER_IDS[i]},\"email\":\"${EMAILS[i]}\",\"token\":\"${TOKENS[i]}\"}"
    done
    for ((i = 0; i < SOCKETS; i++)); do
        socket_users+="${socket_users:+,}{\"id\":${SOCKET_USER_IDS[i]},\"email\":\"soak-socket-$i@example.com\"}"
    done
    for ((i = 0; i < MESSAGES; i++)); do
        seeded+="${seeded:+,}{\"id\":${SEEDED_IDS[i]},\"text\":\"Seeded message $i\"}"
    done
    printf '{"url":"%s","sockets":%d,"waitMs":%d,"maxLogins":%d,"password":"%s",' \
        "$URL" "$SOCKETS" "$SOCKET_WAIT_MS" "$SOCKET_LOGINS" "$PASSWORD"
    printf '"users":[%s],"socketUsers":[%s],"seeded":[%s]}' "$users" "$socket_users" "$seeded"
)

lua_list() { # words -> a Lua list of strings
    local out="" word
    for word in "$@"; do out+="\"$word\", "; done
    printf '{ %s}' "$out"
}
cat >"$WORK/soak.lua" <<EOF
-- One kind of request per wrk process (the kind is the script's argument);
-- every response is counted by (request, status) and judged expected or not.
local EMAILS = $(lua_list "${EMAILS[@]}")
local TOKENS = $(lua_list "${TOKENS[@]}")
local BAD_TOKENS = $(lua_list "$TAMPERED" "$ALG_NONE" "$GARBAGE")
local PASSWORD = "$PASSWORD"
local SEEDED = $(lua_list "${SEEDED_IDS[@]}")
local FINDS = { "/messages", "/messages?\$limit=5&\$skip=", "/messages?\$sort[id]=-1&\$limit=3" }

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    kind = args[1]
    counts = {} -- "request status class" -> count, read by done()
    n = 0
    last = kind -- the request in flight (write: create or remove)
    pending = nil -- write: the id of the message to remove next
    author = nil -- write: the token that created it (only its author may remove it)
end

-- The writer's pause before each request (WRITE_DELAY_MS), the others none.
function delay()
    return kind == "write" and $WRITE_DELAY_MS or 0
end

local function pick(list)
    return list[n % #list + 1]
end

function request()
    n = n + 1
    if kind == "find" then
        local path = pick(FINDS)
        if path:sub(-1) == "=" then path = path .. (n % #SEEDED) end
        return wrk.format("GET", path)
    elseif kind == "get" then
        return wrk.format("GET", "/messages/" .. pick(SEEDED))
    elseif kind == "login" then
        local body = '{"strategy":"local","email":"' .. pick(EMAILS) .. '","password":"' .. PASSWORD .. '"}'
        return wrk.format("POST", "/authentication", { ["Content-Type"] = "application/json" }, body)
    elseif kind == "write" then
        if pending then
            local id = pending
            last, pending = "remove", nil
            return wrk.format("DELETE", "/messages/" .. id, { ["Authorization"] = "Bearer " .. author })
        end
        author = pick(TOKENS)
        local headers = { ["Authorization"] = "Bearer " .. author, ["Content-Type"] = "application/json" }
        last = "create"
        return wrk.format("POST", "/messages", headers, '{"text":"soak message ' .. n .. '"}')
    elseif kind == "bad-token" then
        local headers = { ["Authorization"] = "Bearer " .. pick(BAD_TOKENS), ["Content-Type"] = "application/json" }
        if n % 2 == 0 then
            return wrk.format("GET", "/messages/1", headers)
        end
        return wrk.format("POST", "/messages", headers, '{"text":"must not be written"}')
    elseif kind == "unknown-id" then
        return wrk.format("GET", "/messages/" .. (9000000000 + n))
    end
    error("unknown kind " .. tostring(kind))
end

-- "ok" (a 2xx the request should get), "expected-4xx", or "unexpected".
local function judge(name, status, body)
    if name == "find" or name == "get" or name == "remove" then
        return status == 200 and "ok" or "unexpected"
    elseif name == "create" then
        return status == 201 and "ok" or "unexpected"
    elseif name == "login" then
        return (status == 201 and body:find('"accessToken"', 1, true)) and "ok" or "unexpected"
    elseif name == "bad-token" then
        return (status == 401 and body:find('"name":"NotAuthenticated"', 1, true)) and "expected-4xx" or "unexpected"
    elseif name == "unknown-id" then
        return (status == 404 and body:find('"name":"NotFound"', 1, true)) and "expected-4xx" or "unexpected"
    end
    return "unexpected"
end

function response(status, headers, body)
    local name = last
    if name == "create" and status == 201 then
        pending = body:match('"id":(%d+)')
    end
    local key = name .. " " .. status .. " " .. judge(name, status, body)
    counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
    for _, thread in ipairs(threads) do
        for key, count in pairs(thread:get("counts")) do
            io.write("SOAK count ", key, " ", count, "\n")
        end
    end
    local e = summary.errors
    io.write(string.format("SOAK errors %d %d %d %d\n", e.connect, e.read, e.write, e.timeout))
    io.write(string.format("SOAK latency %.2f %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF

# ---- the mix ----
run_mix() { # seconds directory
    local seconds=$1 dir=$2 kind pids=() failed=0 pid
    mkdir -p "$dir"
    for kind in "${KINDS[@]}"; do
        timeout $((seconds + 60)) "${PIN_LOAD[@]}" wrk -t1 -c"${CONNS[$kind]}" -d"${seconds}s" \
            --timeout 10s -s "$WORK/soak.lua" "$URL" -- "$kind" >"$dir/$kind.txt" 2>&1 &
        pids+=($!)
    done
    if ((SOCKETS > 0)); then
        # Cycles end once `seconds` have passed; the last ones may wait
        # for a few answers or events more.
        # The configuration (tokens included) in a file, not on a command line.
        printf '%s' "${SOCKET_CONFIG%\}},\"seconds\":$seconds}" >"$dir/config.json"
        timeout $((seconds + 120)) "${PIN_LOAD[@]}" node "$CLIENTS/cycle.mjs" "$dir/config.json" \
            >"$dir/sockets.json" 2>"$dir/sockets.err" &
        pids+=($!)
    fi
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    return $failed
}

# Stalled clients for `seconds`, one process of STALLED sockets at a time,
# each stopped for STALL_SECONDS; one line per process in $WORK/stalls:
# "opened N held H" (H: those the server still held at the end of the stall).
run_stalls() { # seconds
    local end=$((SECONDS + $1)) pid ports port held queued bytes i stopped dropped
    # Run in the background and killed at exit: a stopped client goes too.
    trap 'kill -KILL "${pid:-}" 2>/dev/null; exit 0' TERM
    while ((SECONDS + STALL_SECONDS <= end)); do
        : >"$WORK/stall.out" # there before the background process opens it
        "${PIN_LOAD[@]}" node "$CLIENTS/stall.mjs" "$URL" "$STALLED" >"$WORK/stall.out" 2>&1 &
        pid=$!
        for ((i = 0; i < 300; i++)); do
            grep -q '^ready$' "$WORK/stall.out" && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if ! grep -q '^ready$' "$WORK/stall.out"; then
            echo "connect-failed $(tr '\n' ' ' <"$WORK/stall.out")" >>"$WORK/stalls"
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            sleep 5
            continue
        fi
        kill -STOP "$pid"
        ports=$(client_ports "$pid")
        stopped=$SECONDS dropped=-
        while ((SECONDS - stopped < STALL_SECONDS)); do
            sleep 1 & # waited for, so that TERM is not held up
            wait $!
            held=0 queued=0
            for port in $ports; do
                bytes=$(server_peers | awk -v port="$port" '$1 == port { print $2 }')
                if [[ -n $bytes ]]; then held=$((held + 1)) queued=$((queued + bytes)); fi
            done
            if [[ $dropped == - ]] && ((held == 0)); then dropped=$((SECONDS - stopped)); fi
        done
        echo "opened $(wc -w <<<"$ports") held $held dropped-after $dropped queued $queued" >>"$WORK/stalls"
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

# Per kind: "request conns requests ok expected unexpected p50 p99 statuses".
summarize() { # directory
    local kind
    for kind in "${KINDS[@]}"; do
        awk -v kind="$kind" -v conns="${CONNS[$kind]}" '
            $1 == "SOAK" && $2 == "count" {
                req = $3; n[req] += $6; seen[req] = 1; any = 1
                if ($5 == "ok") ok[req] += $6
                else if ($5 == "expected-4xx") exp4[req] += $6
                else bad[req] += $6
                st[req] = st[req] (st[req] == "" ? "" : ",") $4 ":" $6
            }
            $1 == "SOAK" && $2 == "latency" { p50 = $3; p99 = $4 }
            END {
                if (!any) { printf "%s %s 0 0 0 0 0 0 -\n", kind, conns; exit }
                for (req in seen)
                    printf "%s %s %d %d %d %d %s %s %s\n", (req == kind ? kind : kind ":" req), conns,
                        n[req], ok[req], exp4[req], bad[req], p50, p99, st[req]
            }' "$1/$kind.txt" | sort
    done
}

# Socket errors over every wrk process: "connect read write timeout".
socket_errors() { # directory
    cat "$1"/*.txt | awk '$1 == "SOAK" && $2 == "errors" { c += $3; r += $4; w += $5; t += $6 }
        END { printf "%d %d %d %d\n", c, r, w, t }'
}

# The socket clients' counts (cycle.mjs's JSON) as "name value" lines, the
# calls as "call NAME ok expected unexpected"; nothing if there are none.
socket_counts() { # directory
    [[ -s $1/sockets.json ]] || return 0
    node -e '
        const counts = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
        for (const [name, value] of Object.entries(counts)) {
            if (typeof value === "number") console.log(name, value)
        }
        console.log("loginsLocal", counts.logins.local)
        console.log("loginsJwt", counts.logins.jwt)
        for (const [call, c] of Object.entries(counts.byCall)) {
            console.log("call", call.replaceAll(" ", "_"), c.ok, c.expectedErrors, c.unexpected)
        }' "$1/sockets.json"
}
count_of() { # name file
    awk -v name="$1" '$1 == name { print $2; found = 1 } END { if (!found) print 0 }' "$2"
}

FAILURES=()
log "warm-up: ${WARMUP}s of the mix ($SOCKETS cycling sockets)"
run_mix "$WARMUP" "$WORK/warmup" || FAILURES+=("a load process failed during the warm-up")
RSS_START=$(rss_kb)

log "soak: ${DURATION}s of the mix ($SOCKETS cycling sockets, $STALLED stalled at a time)," \
    "RSS sampled every ${SAMPLE}s"
: >"$WORK/rss"
: >"$WORK/stalls"
echo "0 $RSS_START $(server_connections)" >>"$WORK/rss"
(
    started=$SECONDS
    while sleep "$SAMPLE"; do
        kb=$(rss_kb)
        echo "$((SECONDS - started)) $kb $(server_connections)" >>"$WORK/rss"
    done
) &
SAMPLER=$!
PIDS+=("$SAMPLER")
STALLER=
if ((STALLED > 0)); then
    run_stalls "$DURATION" &
    STALLER=$!
    PIDS+=("$STALLER")
fi
run_mix "$DURATION" "$WORK/soak" || FAILURES+=("a load process failed")
if [[ -n $STALLER ]]; then
    wait "$STALLER" || FAILURES+=("the stalled clients' loop failed")
fi
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
sleep 1 # logins in flight on the blocking pool finish
RSS_END=$(rss_kb)

# Every client has stopped: the server's connections go back to the baseline.
SETTLED=
for ((i = 0; i <= SETTLE; i++)); do
    CONNS_END=$(server_connections)
    if ((CONNS_END <= CONNS_BASELINE)); then
        SETTLED=$i
        break
    fi
    sleep 1
done
FDS_END=$(server_socket_fds)
echo "end $RSS_END $CONNS_END" >>"$WORK/rss"
RSS_MAX=$(awk '$2 > max { max = $2 } END { print max }' "$WORK/rss")
CONNS_MAX=$(awk '$3 > max { max = $3 } END { print max + 0 }' "$WORK/rss")

ALIVE=$(http -o /dev/null -w '%{http_code}' "$URL/messages/1" 2>/dev/null) || ALIVE="no answer"

# ---- report ----
summarize "$WORK/warmup" >"$WORK/warmup.sum"
summarize "$WORK/soak" >"$WORK/soak.sum"
read -r W_CONNECT W_READ W_WRITE W_TIMEOUT < <(socket_errors "$WORK/warmup")
read -r S_CONNECT S_READ S_WRITE S_TIMEOUT < <(socket_errors "$WORK/soak")

echo
echo "Soak: chat example on $STORAGE, ${DURATION}s of mixed load after a ${WARMUP}s warm-up" \
    "(wrk, one process of 1 thread per kind; the writer pausing ${WRITE_DELAY_MS} ms;" \
    "$SOCKETS cycling sockets; $PINNING)"
echo
printf '%-18s %5s %10s %7s %10s %12s %10s %8s %8s  %s\n' \
    kind conns requests share 2xx expected-4xx unexpected "p50 ms" "p99 ms" statuses
awk '{ total += $3 } END { print total }' "$WORK/soak.sum" >"$WORK/total"
TOTAL=$(cat "$WORK/total")
while read -r name conns n ok exp4 bad p50 p99 statuses; do
    printf '%-18s %5s %10d %6.1f%% %10d %12d %10d %8s %8s  %s\n' "$name" "$conns" "$n" \
        "$(awk -v n="$n" -v t="$TOTAL" 'BEGIN { print t ? 100 * n / t : 0 }')" \
        "$ok" "$exp4" "$bad" "$p50" "$p99" "$statuses"
done <"$WORK/soak.sum"
read -r T_N T_OK T_EXP T_BAD < <(awk '{ n += $3; ok += $4; e += $5; b += $6 } END { print n + 0, ok + 0, e + 0, b + 0 }' "$WORK/soak.sum")
printf '%-18s %5s %10d %7s %10d %12d %10d\n' total "" "$T_N" "" "$T_OK" "$T_EXP" "$T_BAD"
awk -v n="$T_N" -v s="$DURATION" 'BEGIN { printf "(%.0f requests/s; write:create and write:remove share one connection)\n", n / s }'
echo
echo "socket errors: connect $S_CONNECT, read $S_READ, write $S_WRITE, timeouts $S_TIMEOUT"
read -r WU_N WU_BAD < <(awk '{ n += $3; b += $6 } END { print n + 0, b + 0 }' "$WORK/warmup.sum")
echo "warm-up: $WU_N requests, $WU_BAD unexpected, socket errors $((W_CONNECT + W_READ + W_WRITE + W_TIMEOUT))"

SOCKET_BAD=0
if ((SOCKETS > 0)); then
    socket_counts "$WORK/warmup" >"$WORK/warmup.sockets" ||
        FAILURES+=("the socket clients' counts could not be read (warm-up)")
    socket_counts "$WORK/soak" >"$WORK/soak.sockets" ||
        FAILURES+=("the socket clients' counts could not be read (soak)")
    S="$WORK/soak.sockets"
    echo
    echo "Sockets: $SOCKETS cycling (one in five long-polling, then upgraded); calls per kind:"
    printf '%-24s %10s %12s %10s\n' call ok expected-err unexpected
    awk '$1 == "call" { printf "%-24s %10d %12d %10d\n", $2, $3, $4, $5 }' "$S" | sort
    printf '%-24s %10d %12d %10d\n' total "$(count_of ok "$S")" "$(count_of expectedErrors "$S")" \
        "$(count_of unexpected "$S")"
    echo "cycles $(count_of cycles "$S"), connects $(count_of connects "$S"), connect errors" \
        "$(count_of connectErrors "$S"), upgraded from polling $(count_of upgraded "$S"), logins local" \
        "$(count_of loginsLocal "$S") / jwt $(count_of loginsJwt "$S"), logouts $(count_of logouts "$S")," \
        "dropped by the server mid-cycle $(count_of unexpectedDisconnects "$S"), stray rejections" \
        "$(count_of strayRejections "$S")"
    echo "events: $(count_of eventsReceived "$S") received, of which $(count_of eventsFromHttpWriters "$S")" \
        "from the wrk writers; $(count_of eventsAwaited "$S") awaited (the cycles' own writes)," \
        "$(count_of eventsMissed "$S") missed"
    echo "warm-up: $(count_of calls "$WORK/warmup.sockets") socket calls, $(count_of unexpected "$WORK/warmup.sockets")" \
        "unexpected, $(count_of eventsMissed "$WORK/warmup.sockets") events missed," \
        "$(count_of connectErrors "$WORK/warmup.sockets") connect errors"
    if [[ -s $WORK/soak/sockets.err || -s $WORK/warmup/sockets.err ]]; then
        echo "socket clients' complaints (first lines):"
        cat "$WORK/warmup/sockets.err" "$WORK/soak/sockets.err" | head -n 20 | sed 's/^/  /'
    fi
    for phase in warmup soak; do
        F="$WORK/$phase.sockets"
        [[ -s $F ]] || { FAILURES+=("the socket clients reported nothing ($phase)"); continue; }
        for name in unexpected eventsMissed connectErrors unexpectedDisconnects strayRejections; do
            value=$(count_of "$name" "$F")
            ((value == 0)) || FAILURES+=("sockets ($phase): $name $value")
            SOCKET_BAD=$((SOCKET_BAD + value))
        done
        (($(count_of eventsFromHttpWriters "$F") > 0)) ||
            FAILURES+=("sockets ($phase): no event of the wrk writers reached a socket")
    done
fi
if ((STALLED > 0)); then
    read -r STALLS ST_OPENED ST_HELD ST_FAILED ST_DROPS ST_QUEUED < <(awk '
        $1 == "opened" { n++; o += $2; h += $4; d = d (d == "" ? "" : ",") $6; q += $8 }
        $1 == "connect-failed" { f++ }
        END { print n + 0, o + 0, h + 0, f + 0, (d == "" ? "-" : d), q + 0 }' "$WORK/stalls")
    echo "stalled clients: $STALLS processes stopped ${STALL_SECONDS}s each, $ST_OPENED sockets," \
        "$ST_HELD still held by the server after the stall (their send queues: $ST_QUEUED bytes)," \
        "$ST_FAILED processes that could not connect; all of a process's sockets let go by the server" \
        "after (s, - for never): $ST_DROPS"
    ((STALLS > 0)) || FAILURES+=("no stalled client ran (DURATION shorter than STALL_SECONDS?)")
    ((ST_OPENED == STALLS * STALLED)) || FAILURES+=("stalled clients: $ST_OPENED sockets seen, $((STALLS * STALLED)) opened")
    ((ST_HELD == 0)) || FAILURES+=("the server still held $ST_HELD stalled sockets after ${STALL_SECONDS}s")
    ((ST_FAILED == 0)) || FAILURES+=("$ST_FAILED stalled clients could not connect")
fi
echo "server connections on port $PORT: $CONNS_BASELINE before the load, max $CONNS_MAX at the samples," \
    "$CONNS_END after the clients stopped$([[ -n $SETTLED ]] && echo " (back to the baseline ${SETTLED}s after)");" \
    "socket fds: $FDS_BASELINE before, $FDS_END after"
echo "server after the load: GET /messages/1 -> $ALIVE"
echo
LIMIT=$((RSS_FACTOR * RSS_START + RSS_SLACK_MB * 1024))
echo "server RSS: $(mb "$RSS_SEEDED") MB after seeding, $(mb "$RSS_START") MB at the start (after the warm-up)," \
    "$(mb "$RSS_END") MB at the end, max $(mb "$RSS_MAX") MB; limit for the end: ${RSS_FACTOR} x start + ${RSS_SLACK_MB} MB = $(mb "$LIMIT") MB"
echo "RSS samples (s: MB/server connections): $(awk '{ printf "%s%s: %.1f/%d", (NR > 1 ? ", " : ""), $1, $2 / 1024, $3 }' "$WORK/rss")"

((T_BAD == 0)) || FAILURES+=("$T_BAD unexpected responses (see 'statuses')")
((WU_BAD == 0)) || FAILURES+=("$WU_BAD unexpected responses during the warm-up")
((S_CONNECT + S_READ + S_WRITE + S_TIMEOUT == 0)) || FAILURES+=("socket errors or timeouts during the soak")
((W_CONNECT + W_READ + W_WRITE + W_TIMEOUT == 0)) || FAILURES+=("socket errors or timeouts during the warm-up")
((T_N > 0)) || FAILURES+=("no request completed")
[[ -n $SETTLED ]] ||
    FAILURES+=("$CONNS_END connections still open ${SETTLE}s after the clients stopped (baseline $CONNS_BASELINE)")
kill -0 "$SERVER_PID" 2>/dev/null || FAILURES+=("the server exited during the load")
[[ $ALIVE == 200 ]] || FAILURES+=("the server does not answer after the load ($ALIVE)")
((RSS_END <= LIMIT)) || FAILURES+=("RSS grew from $(mb "$RSS_START") MB to $(mb "$RSS_END") MB (limit $(mb "$LIMIT") MB)")

echo
if ((${#FAILURES[@]})); then
    printf 'FAIL: %s\n' "${FAILURES[@]}"
    exit 1
fi
echo "PASS"
