#!/usr/bin/env bash
# Real-time benchmark: the chat example against a FeathersJS v5 reference
# (benches/realtime/feathers), measured by the same Node harness
# (fanout.mjs): the time from one REST create until all of N WebSocket
# clients have the `messages created` event, and server memory per idle socket.
#
#   benches/realtime/run.sh                      # N=1000, 20 rounds, both servers
#   N=200 ROUNDS=10 SKIP_BUILD=1 benches/realtime/run.sh
#   SERVERS=feathers benches/realtime/run.sh     # the reference alone
#   SERVERS="floor chat" benches/realtime/run.sh  # and where the harness's limit is
#
# Env: N (1000), ROUNDS (20, after WARMUP=3 warm-up rounds), SETTLE (s, 5:
# how long the idle sockets wait before the server's RSS is read), SERVERS
# ("chat feathers"; also floor: floor.mjs, the harness's own limit),
# CLIENTS ("socket.io raw": the official client, then fanout.mjs's bare
# one, which costs the harness less per event), CHAT_PORT, FEATHERS_PORT,
# FLOOR_PORT (free ports by default), WIRE (1: also time each N-socket run
# from a tcpdump capture of the loopback, wire.mjs; tcpdump is installed
# from Debian packages if missing), SKIP_BUILD=1 to use the chat binary
# already in target/release, SKIP_INSTALL=1 to use the node_modules already
# installed, LOG_DIR (the servers' logs; target/bench-realtime by default),
# RUST_LOG (the chat app's log filter). DATABASE_URL is always memory://
# for the chat app.
# Each server runs alone, pinned to core 0, the harness on core 1,
# loopback only, started afresh for each client: first with N sockets
# (fan-out and memory), then restarted with one socket (the harness's own
# share of the time). Stops by itself.
set -euo pipefail

N=${N:-1000}
ROUNDS=${ROUNDS:-20}
WARMUP=${WARMUP:-3}
SETTLE=${SETTLE:-5}
SERVERS=${SERVERS:-chat feathers}
SERVERS=${SERVERS//,/ }
CLIENTS=${CLIENTS:-socket.io raw}
CLIENTS=${CLIENTS//,/ }
HOST=127.0.0.1

for number in N ROUNDS; do
    [[ ${!number} =~ ^[1-9][0-9]*$ ]] || { echo "$number must be a positive integer" >&2; exit 2; }
done
for number in WARMUP SETTLE; do
    [[ ${!number} =~ ^[0-9]+$ ]] || { echo "$number must be a non-negative integer" >&2; exit 2; }
done
for client in $CLIENTS; do
    case $client in
        socket.io | raw) ;;
        *) echo "unknown client '$client' (socket.io, raw)" >&2; exit 2 ;;
    esac
done
for server in $SERVERS; do
    case $server in
        chat | feathers | floor) ;;
        *) echo "unknown server '$server' (chat, feathers, floor)" >&2; exit 2 ;;
    esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
LOG_DIR=${LOG_DIR:-$ROOT/target/bench-realtime}
# shellcheck source=../../scripts/harness.sh
source "$ROOT/scripts/harness.sh"
harness_start realtime-bench

command -v node >/dev/null || { log "node (20 or later) is needed"; exit 1; }
command -v npm >/dev/null || { log "npm is needed"; exit 1; }
command -v curl >/dev/null || { log "curl is needed"; exit 1; }
command -v taskset >/dev/null || { log "taskset (util-linux) is needed"; exit 1; }
WIRE=${WIRE:-1}
if [[ $WIRE == 1 ]] && ! command -v tcpdump >/dev/null; then
    log "tcpdump is missing: installing it from Debian packages"
    { apt-get update && apt-get install -y tcpdump; } >&2 || true
    command -v tcpdump >/dev/null || { log "no tcpdump: the wire column is left out (WIRE=0)"; WIRE=0; }
fi
mkdir -p "$LOG_DIR"
# Each side holds N sockets open, plus a few files of its own.
ulimit -n $((N + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > N + 64)) || { log "the open-file limit ($(ulimit -n)) is too low for N=$N"; exit 1; }

# ---- (a) the harness, the reference, the chat app ----
install() { # folder: npm ci unless its node_modules matches its lock
    if [[ ${SKIP_INSTALL:-0} == 1 ]]; then return; fi
    if [[ ! -f $1/node_modules/.package-lock.json || $1/package-lock.json -nt $1/node_modules/.package-lock.json ]]; then
        log "installing $1 (npm ci)"
        (cd "$1" && npm ci --no-audit --no-fund >&2)
    fi
}
install "$HERE"
[[ " $SERVERS " == *" feathers "* ]] && install "$HERE/feathers"
if [[ " $SERVERS " == *" chat "* && ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --example chat -p examples >&2)
fi

free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}
declare -A PORT=([chat]=${CHAT_PORT:-$(free_port)} [feathers]=${FEATHERS_PORT:-$(free_port)}
    [floor]=${FLOOR_PORT:-$(free_port)})
AUTH_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')

# ---- (b) one server at a time ----
http() { curl -sS --max-time 10 "$@"; }

SERVER_PID=
start() { # server log_name: sets SERVER_PID
    local port=${PORT[$1]} logfile=$LOG_DIR/$2.log i
    if http -o /dev/null "http://$HOST:$port/" 2>/dev/null; then
        log "port $port is already in use"; exit 1
    fi
    case $1 in
        chat)
            HOST=$HOST PORT=$port AUTH_SECRET=$AUTH_SECRET DATABASE_URL=memory:// \
                taskset -c 0 "$TARGET/examples/chat" >"$logfile" 2>&1 &
            ;;
        feathers)
            (cd "$HERE/feathers" && HOST=$HOST PORT=$port exec taskset -c 0 node app.mjs) >"$logfile" 2>&1 &
            ;;
        floor)
            HOST=$HOST PORT=$port taskset -c 0 node "$HERE/floor.mjs" >"$logfile" 2>&1 &
            ;;
    esac
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for ((i = 0; i < 200; i++)); do
        http -o /dev/null -f "http://$HOST:$port/messages" 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { log "$1 exited at start: see $logfile"; exit 1; }
        sleep 0.1
    done
    log "$1 did not start listening on $port: see $logfile"; exit 1
}

forget() { # pid: no longer one for the cleanup to stop
    local pid kept=()
    for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
    PIDS=("${kept[@]}")
}

stop() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    forget "$SERVER_PID"
}

# The loopback's own view of a run (wire.mjs): tcpdump on core 1 with the
# harness, nanosecond timestamps, only the server's port.
CAPTURE_PID=
capture_start() { # server name
    local i
    [[ $WIRE == 1 ]] || return 0
    taskset -c 1 tcpdump -i lo -nn -s 512 -B 16384 --time-stamp-precision=nano \
        -w "$WORK/$2.pcap" "tcp port ${PORT[$1]}" 2>"$WORK/$2.tcpdump.log" &
    CAPTURE_PID=$!
    PIDS+=("$CAPTURE_PID")
    for ((i = 0; i < 100; i++)); do
        grep -q "listening on" "$WORK/$2.tcpdump.log" 2>/dev/null && return 0
        kill -0 "$CAPTURE_PID" 2>/dev/null || { log "tcpdump failed: $(cat "$WORK/$2.tcpdump.log")"; exit 1; }
        sleep 0.1
    done
    log "tcpdump did not start"; exit 1
}
capture_stop() { # server name
    [[ $WIRE == 1 ]] || return 0
    kill -INT "$CAPTURE_PID" 2>/dev/null || true
    wait "$CAPTURE_PID" 2>/dev/null || true
    forget "$CAPTURE_PID"
    grep -q "^0 packets dropped by kernel" "$WORK/$2.tcpdump.log" ||
        log "tcpdump dropped packets: $(grep dropped "$WORK/$2.tcpdump.log")"
    node "$HERE/wire.mjs" --pcap "$WORK/$2.pcap" --port "${PORT[$1]}" --n "$N" --json "$WORK/$2.wire.json" >&2
    rm -f "$WORK/$2.pcap"
}

harness() { # server client sockets json [--pid PID]
    local server=$1 client=$2 sockets=$3 json=$4
    shift 4
    taskset -c 1 node "$HERE/fanout.mjs" --url "http://$HOST:${PORT[$server]}" --client "$client" --n "$sockets" \
        --rounds "$ROUNDS" --warmup "$WARMUP" --json "$json" "$@" >&2
}

log "load before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
for server in $SERVERS; do
    for client in $CLIENTS; do
        log "$server, $client client: $N sockets, $ROUNDS rounds (server on core 0, harness on core 1; log in $LOG_DIR/$server.log)"
        start "$server" "$server"
        capture_start "$server" "$server.$client.n"
        harness "$server" "$client" "$N" "$WORK/$server.$client.n.json" --settle "$SETTLE" --pid "$SERVER_PID"
        capture_stop "$server" "$server.$client.n"
        stop
        log "$server, $client client: 1 socket, $ROUNDS rounds (the harness's own share)"
        start "$server" "$server-one"
        harness "$server" "$client" 1 "$WORK/$server.$client.one.json" --settle 1
        stop
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- (c) the table ----
echo
echo "Real-time fan-out: one REST POST /messages until all N WebSocket clients have 'messages created'"
echo "(N=$N, $ROUNDS rounds after $WARMUP warm-up, ms from sending the POST; servers on core 0, harness on core 1;"
echo " memory: server VmRSS with N idle sockets settled ${SETTLE}s minus before, / N; load average after: $LOAD_AFTER)"
echo
node --input-type=module - "$WORK" "$N" "$CLIENTS" $SERVERS <<'EOF'
import { readFileSync } from 'node:fs'
const [work, n, clients, ...servers] = process.argv.slice(2)
const read = (name) => JSON.parse(readFileSync(`${work}/${name}.json`, 'utf8'))
const row = (cells) => console.log(cells.map((c, i) => i < 2 ? String(c).padEnd(10) : String(c).padStart(12)).join(' '))
row(['server', 'client', `N=${n} median`, 'p90', 'min', 'max', 'harness CPU', 'N=1 median', 'wire median', 'KB/socket'])
const readWire = (name) => { try { return read(`${name}.wire`).wire } catch { return undefined } }
const figures = {}
for (const client of clients.split(' ')) {
  for (const server of servers) {
    const many = read(`${server}.${client}.n`)
    const one = read(`${server}.${client}.one`)
    const wire = readWire(`${server}.${client}.n`)
    figures[`${server} ${client}`] = { median: many.last.median, wire: wire?.median, kib: many.memory.perSocketKiB }
    row([server, client,
      ...[many.last.median, many.last.p90, many.last.min, many.last.max, many.harnessCpu.median, one.last.median]
        .map((v) => v.toFixed(2)),
      wire ? wire.median.toFixed(2) : '-',
      many.memory.perSocketKiB.toFixed(1)])
  }
}
for (const client of clients.split(' ')) {
  const chat = figures[`chat ${client}`]
  const feathers = figures[`feathers ${client}`]
  if (chat && feathers) {
    const wire = chat.wire && feathers.wire ? `, on the wire ${(chat.wire / feathers.wire).toFixed(2)}` : ''
    console.log(`ratio chat/feathers, ${client} client: fan-out ${(chat.median / feathers.median).toFixed(2)}${wire} ` +
      `(budget: at most 0.33), memory per socket ${(chat.kib / feathers.kib).toFixed(2)} (budget: chat under 20 KB)`)
  }
}
console.log('(ms from sending the POST until the last client has the event: median, p90, min, max over the rounds;')
console.log(" harness CPU: the harness's own CPU time per round, median; wire: from the POST's packet to the last")
console.log(' event packet on the loopback (tcpdump), median; KB = 1024 bytes)')
EOF
