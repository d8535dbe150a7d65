#!/usr/bin/env bash
# Soak test: the chat example under a mixed load for a minute, watching for
# wrong answers, socket errors and memory growth.
#
#   scripts/soak.sh                      # build, 10 s warm-up, 60 s of load
#   DURATION=600 SKIP_BUILD=1 scripts/soak.sh
#
# What it does: builds the chat example in release (unless SKIP_BUILD=1),
# starts it on loopback with a fixed AUTH_SECRET (server on core 0, wrk on
# core 1 with taskset), seeds USERS users (each logged in once for a token)
# and MESSAGES anonymous messages, runs the mix for WARMUP seconds, then for
# DURATION seconds, and reports.
#
# The mix: one wrk process per kind of request, all at once, each with one
# thread and the connections below. One kind per process is what makes the
# counts exact: wrk's Lua `response()` is not told which request a response
# answers, so a process mixing kinds on several connections could not say
# whether a 401 came from a bad token or from a good one. Proportions are
# set by connections (each connection is a closed loop: one request in
# flight); the report gives each kind's share of the requests.
#
#   kind        conns  requests                                     expected
#   find          4    GET /messages (3 query strings), anonymous   200
#   get           4    GET /messages/<seeded id>, anonymous         200
#   login         2    POST /authentication, local, good password   201 + accessToken
#   write         1    POST /messages with a Bearer token, then     201, then 200
#                      DELETE /messages/<that id>: the store stays
#                      the same size, so memory growth means a leak
#   bad-token     2    GET /messages/1 and POST /messages with a    401 NotAuthenticated
#                      tampered, an alg-none or a garbage token
#   unknown-id    2    GET /messages/<an id that never exists>      404 NotFound
#
# Logins stay at 2 connections: each argon2id verification holds 19 MiB
# while it runs, so concurrent logins set the server's memory high-water
# mark. RSS (VmRSS of /proc/<pid>/status) is sampled after seeding, after
# the warm-up (the start: allocator arenas and tokio's blocking threads have
# grown by then), every SAMPLE seconds, and at the end.
#
# Exit status: 0 when every response was expected, wrk saw no socket error
# or timeout, the server is still answering, and RSS at the end is at most
# RSS_FACTOR x start + RSS_SLACK_MB; 1 otherwise (the reasons are printed).
#
# Env: DURATION (s, 60), WARMUP (s, 10), SAMPLE (s, 5), PORT (3133),
# AUTH_SECRET (a fixed soak secret), USERS (4), MESSAGES (20), RSS_FACTOR
# (2), RSS_SLACK_MB (20), CONNECTIONS (per kind, "find=4 get=4 login=2
# write=1 bad-token=2 unknown-id=2"), SKIP_BUILD=1 to use the binary already
# built, LOG_DIR (the server's per-request log lines go to $LOG_DIR/chat.log,
# /dev/null by default), RUST_LOG (the server's log filter).
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
HOST=127.0.0.1
PASSWORD=soak-password-1
KINDS=(find get login write bad-token unknown-id)

for number in DURATION WARMUP SAMPLE PORT USERS MESSAGES RSS_FACTOR RSS_SLACK_MB; do
    [[ ${!number} =~ ^[1-9][0-9]*$ ]] || { echo "$number must be a positive integer" >&2; exit 2; }
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

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BINARY=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/chat
# shellcheck source=harness.sh
source "$ROOT/scripts/harness.sh"
# The chat app keeps its records in memory here unless DATABASE_URL says
# otherwise (the binary's own default, ./chat.db, would outlive the run
# and change the figures): the figures so far are memory's.
export DATABASE_URL=${DATABASE_URL:-memory://}
harness_start soak
SERVER_PID=

# ---- tools ----
have_wrk || { log "wrk could not be installed"; exit 1; }
command -v curl >/dev/null || { log "curl is needed to seed the server"; exit 1; }
PIN_SERVER=() PIN_LOAD=()
if command -v taskset >/dev/null && taskset -c 1 true 2>/dev/null; then
    PIN_SERVER=(taskset -c 0) PIN_LOAD=(taskset -c 1)
    PINNING="server on core 0, wrk on core 1"
else
    PINNING="no pinning (taskset missing or fewer than 2 cores)"
fi

# ---- build ----
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --example chat -p examples >&2)
fi
[[ -x $BINARY ]] || { log "no chat binary at $BINARY (build it, or unset SKIP_BUILD)"; exit 1; }

# ---- start and seed ----
URL="http://$HOST:$PORT"
http() { curl -sS --max-time 30 "$@"; }
json() { http -f -H 'Content-Type: application/json' "$@"; }

if http -o /dev/null "$URL/" 2>/dev/null; then
    log "port $PORT is already in use"; exit 1
fi
HOST=$HOST PORT=$PORT AUTH_SECRET=$AUTH_SECRET "${PIN_SERVER[@]}" "$BINARY" \
    >"${LOG_DIR:-/dev/null}${LOG_DIR:+/chat.log}" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
for ((i = 0; ; i++)); do
    http -o /dev/null "$URL/messages" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { log "the server exited at start"; exit 1; }
    ((i < 100)) || { log "the server did not start listening on $PORT"; exit 1; }
    sleep 0.1
done

rss_kb() { # the server's VmRSS in kB; 0 once it has exited
    local kb
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null) || kb=0
    echo "${kb:-0}"
}
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

log "seeding: $USERS users (one login each), $MESSAGES anonymous messages"
EMAILS=() TOKENS=()
for ((i = 1; i <= USERS; i++)); do
    email="soak-$i@example.com"
    json -o /dev/null -d "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}" "$URL/users"
    reply=$(json -d "{\"strategy\":\"local\",\"email\":\"$email\",\"password\":\"$PASSWORD\"}" \
        "$URL/authentication")
    token=$(sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' <<<"$reply")
    [[ -n $token ]] || { log "no token in $reply"; exit 1; }
    EMAILS+=("$email") TOKENS+=("$token")
done
for ((i = 0; i < MESSAGES; i++)); do
    json -o /dev/null -d "{\"text\":\"Seeded message $i\"}" "$URL/messages"
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
local MESSAGES = $MESSAGES
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
end

local function pick(list)
    return list[n % #list + 1]
end

function request()
    n = n + 1
    if kind == "find" then
        local path = pick(FINDS)
        if path:sub(-1) == "=" then path = path .. (n % MESSAGES) end
        return wrk.format("GET", path)
    elseif kind == "get" then
        return wrk.format("GET", "/messages/" .. (n % MESSAGES))
    elseif kind == "login" then
        local body = '{"strategy":"local","email":"' .. pick(EMAILS) .. '","password":"' .. PASSWORD .. '"}'
        return wrk.format("POST", "/authentication", { ["Content-Type"] = "application/json" }, body)
    elseif kind == "write" then
        local headers = { ["Authorization"] = "Bearer " .. pick(TOKENS), ["Content-Type"] = "application/json" }
        if pending then
            local id = pending
            last, pending = "remove", nil
            return wrk.format("DELETE", "/messages/" .. id, headers)
        end
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
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    return $failed
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

FAILURES=()
log "warm-up: ${WARMUP}s of the mix"
run_mix "$WARMUP" "$WORK/warmup" || FAILURES+=("a wrk process failed during the warm-up")
RSS_START=$(rss_kb)

log "soak: ${DURATION}s of the mix, RSS sampled every ${SAMPLE}s"
: >"$WORK/rss"
echo "0 $RSS_START" >>"$WORK/rss"
(
    started=$SECONDS
    while sleep "$SAMPLE"; do
        kb=$(rss_kb)
        echo "$((SECONDS - started)) $kb" >>"$WORK/rss"
    done
) &
SAMPLER=$!
PIDS+=("$SAMPLER")
run_mix "$DURATION" "$WORK/soak" || FAILURES+=("a wrk process failed")
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
sleep 1 # logins in flight on the blocking pool finish
RSS_END=$(rss_kb)
echo "end $RSS_END" >>"$WORK/rss"
RSS_MAX=$(awk '$2 > max { max = $2 } END { print max }' "$WORK/rss")

ALIVE=$(http -o /dev/null -w '%{http_code}' "$URL/messages/1" 2>/dev/null) || ALIVE="no answer"

# ---- report ----
summarize "$WORK/warmup" >"$WORK/warmup.sum"
summarize "$WORK/soak" >"$WORK/soak.sum"
read -r W_CONNECT W_READ W_WRITE W_TIMEOUT < <(socket_errors "$WORK/warmup")
read -r S_CONNECT S_READ S_WRITE S_TIMEOUT < <(socket_errors "$WORK/soak")

echo
echo "Soak: chat example, ${DURATION}s of mixed load after a ${WARMUP}s warm-up (wrk, one process of 1 thread per kind; $PINNING)"
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
echo "server after the load: GET /messages/1 -> $ALIVE"
echo
LIMIT=$((RSS_FACTOR * RSS_START + RSS_SLACK_MB * 1024))
echo "server RSS: $(mb "$RSS_SEEDED") MB after seeding, $(mb "$RSS_START") MB at the start (after the warm-up)," \
    "$(mb "$RSS_END") MB at the end, max $(mb "$RSS_MAX") MB; limit for the end: ${RSS_FACTOR} x start + ${RSS_SLACK_MB} MB = $(mb "$LIMIT") MB"
echo "RSS samples (s: MB): $(awk '{ printf "%s%s: %.1f", (NR > 1 ? ", " : ""), $1, $2 / 1024 }' "$WORK/rss")"

((T_BAD == 0)) || FAILURES+=("$T_BAD unexpected responses (see 'statuses')")
((WU_BAD == 0)) || FAILURES+=("$WU_BAD unexpected responses during the warm-up")
((S_CONNECT + S_READ + S_WRITE + S_TIMEOUT == 0)) || FAILURES+=("socket errors or timeouts during the soak")
((W_CONNECT + W_READ + W_WRITE + W_TIMEOUT == 0)) || FAILURES+=("socket errors or timeouts during the warm-up")
((T_N > 0)) || FAILURES+=("no request completed")
kill -0 "$SERVER_PID" 2>/dev/null || FAILURES+=("the server exited during the load")
[[ $ALIVE == 200 ]] || FAILURES+=("the server does not answer after the load ($ALIVE)")
((RSS_END <= LIMIT)) || FAILURES+=("RSS grew from $(mb "$RSS_START") MB to $(mb "$RSS_END") MB (limit $(mb "$LIMIT") MB)")

echo
if ((${#FAILURES[@]})); then
    printf 'FAIL: %s\n' "${FAILURES[@]}"
    exit 1
fi
echo "PASS"
