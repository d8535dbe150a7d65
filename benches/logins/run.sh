#!/usr/bin/env bash
# Logins benchmark: the chat example (argon2id, OWASP's minimum: 19 MiB,
# 2 passes, 1 lane) against a FeathersJS v5 reference (benches/logins/feathers:
# the local strategy's bcryptjs, cost 10), measured by the same Node driver
# (login.mjs): local logins a second at a few concurrencies, interleaved, and
# each server's resident memory during a burst of concurrent logins.
#
#   benches/logins/run.sh                        # 3 rounds of 1 2 8 32 connections, then the bursts
#   CONCURRENCIES="2 8" ROUNDS=5 SKIP_BUILD=1 benches/logins/run.sh
#   PHASES=burst benches/logins/run.sh           # the bursts alone
#
# Env: CONCURRENCIES ("1 2 8 32"), ROUNDS (3), DURATION (s, 8: each run's
# measured time, after WARMUP s, 2; longer, up to 6 times, until every
# connection has had two answers), BURST (100: logins in a burst), BURSTS
# (2: bursts in a row on each freshly started server), PHASES ("rate burst"),
# SERVERS ("chat feathers"), ONE_ADDRESS=1 (every connection from 127.0.0.1
# instead of one loopback address each), CHAT_PORT, FEATHERS_PORT (free
# ports by default), SKIP_BUILD=1 (the chat binary already in
# target/release), SKIP_INSTALL=1 (the node_modules already installed),
# LOG_DIR (the servers' logs; target/bench-logins), SERVER_CPUS (0) and
# DRIVER_CPUS (1): the cores (taskset -c lists) of the servers and of the
# driver; the chat app runs as many hashes at once as it has cores (one
# working memory of 19 MiB each). The chat app runs with
# DATABASE_URL=memory:// and LOGIN_LIMITS=off, both with one random
# AUTH_SECRET.
# Each server is pinned to core 0, the driver to core 1 (by default), loopback only.
set -euo pipefail

CONCURRENCIES=${CONCURRENCIES:-1 2 8 32}
CONCURRENCIES=${CONCURRENCIES//,/ }
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
BURST=${BURST:-100}
BURSTS=${BURSTS:-2}
PHASES=${PHASES:-rate burst}
PHASES=${PHASES//,/ }
SERVERS=${SERVERS:-chat feathers}
SERVERS=${SERVERS//,/ }
SERVER_CPUS=${SERVER_CPUS:-0}
DRIVER_CPUS=${DRIVER_CPUS:-1}
HOST=127.0.0.1
EMAIL=bench@example.com
PASSWORD='correct horse battery staple'

for number in ROUNDS DURATION BURST BURSTS; do
    [[ ${!number} =~ ^[1-9][0-9]*$ ]] || { echo "$number must be a positive integer" >&2; exit 2; }
done
for c in $CONCURRENCIES; do
    [[ $c =~ ^[1-9][0-9]*$ ]] || { echo "CONCURRENCIES must be positive integers" >&2; exit 2; }
done
[[ $WARMUP =~ ^[0-9]+$ ]] || { echo "WARMUP must be a non-negative integer" >&2; exit 2; }
((BURST <= 1000)) || { echo "BURST is at most 1000 (one loopback address each)" >&2; exit 2; }
for server in $SERVERS; do
    case $server in
        chat | feathers) ;;
        *) echo "unknown server '$server' (chat, feathers)" >&2; exit 2 ;;
    esac
done
for phase in $PHASES; do
    case $phase in
        rate | burst) ;;
        *) echo "unknown phase '$phase' (rate, burst)" >&2; exit 2 ;;
    esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
LOG_DIR=${LOG_DIR:-$ROOT/target/bench-logins}
# shellcheck source=../../scripts/harness.sh
source "$ROOT/scripts/harness.sh"
harness_start logins-bench

command -v node >/dev/null || { log "node (20 or later) is needed"; exit 1; }
command -v npm >/dev/null || { log "npm is needed"; exit 1; }
command -v curl >/dev/null || { log "curl is needed"; exit 1; }
command -v taskset >/dev/null || { log "taskset (util-linux) is needed"; exit 1; }
mkdir -p "$LOG_DIR"
ulimit -n $((BURST + 1024)) 2>/dev/null || true
DRIVER_FLAGS=()
[[ ${ONE_ADDRESS:-0} == 1 ]] && DRIVER_FLAGS+=(--one-address)

# ---- (a) the reference and the chat app ----
if [[ " $SERVERS " == *" feathers "* && ${SKIP_INSTALL:-0} != 1 ]]; then
    lock=$HERE/feathers/package-lock.json installed=$HERE/feathers/node_modules/.package-lock.json
    if [[ ! -f $installed || $lock -nt $installed ]]; then
        log "installing $HERE/feathers (npm ci)"
        (cd "$HERE/feathers" && npm ci --no-audit --no-fund >&2)
    fi
fi
if [[ " $SERVERS " == *" chat "* && ${SKIP_BUILD:-0} != 1 ]]; then
    (cd "$ROOT" && cargo build --release --example chat -p examples >&2)
fi

free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}
declare -A PORT=([chat]=${CHAT_PORT:-$(free_port)} [feathers]=${FEATHERS_PORT:-$(free_port)})
declare -A PID=()
AUTH_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')

# ---- (b) starting, seeding, stopping ----
http() { curl -sS --max-time 30 "$@"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

start() { # server log_name: sets PID[server]
    local server=$1 port=${PORT[$1]} logfile=$LOG_DIR/$2.log i pid
    if http -o /dev/null "http://$HOST:$port/" 2>/dev/null; then
        log "port $port is already in use"; exit 1
    fi
    case $server in
        chat)
            HOST=$HOST PORT=$port AUTH_SECRET=$AUTH_SECRET DATABASE_URL=memory:// LOGIN_LIMITS=off \
                taskset -c "$SERVER_CPUS" "$TARGET/examples/chat" >"$logfile" 2>&1 &
            ;;
        feathers)
            (cd "$HERE/feathers" && HOST=$HOST PORT=$port AUTH_SECRET=$AUTH_SECRET exec taskset -c "$SERVER_CPUS" node app.mjs) \
                >"$logfile" 2>&1 &
            ;;
    esac
    pid=$!
    PID[$server]=$pid
    PIDS+=("$pid")
    for ((i = 0; i < 300; i++)); do
        # Any answer at all: the server is listening.
        http -o /dev/null "http://$HOST:$port/authentication" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { log "$server exited at start: see $logfile"; exit 1; }
        sleep 0.1
    done
    log "$server did not start listening on $port: see $logfile"; exit 1
}

forget() { # pid: no longer one for the cleanup to stop
    local pid kept=()
    for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
    PIDS=("${kept[@]}")
}

stop() { # server
    local pid=${PID[$1]}
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}

# The same user on both, made over HTTP as any client makes one, then one
# login checked (201 with an access token).
seed() { # server
    local url="http://$HOST:${PORT[$1]}" data answer
    data=$(printf '{"email":"%s","password":"%s"}' "$EMAIL" "$PASSWORD")
    answer=$(http -w '\n%{http_code}' -H 'Content-Type: application/json' -d "$data" "$url/users")
    [[ ${answer##*$'\n'} == 201 ]] || { log "$1: creating the user failed: $answer"; exit 1; }
    data=$(printf '{"strategy":"local","email":"%s","password":"%s"}' "$EMAIL" "$PASSWORD")
    answer=$(http -w '\n%{http_code}' -H 'Content-Type: application/json' -d "$data" "$url/authentication")
    [[ ${answer##*$'\n'} == 201 && $answer == *'"accessToken"'* ]] || { log "$1: the login failed: $answer"; exit 1; }
}

driver() { # mode server json [flags...]
    local mode=$1 server=$2 json=$3
    shift 3
    taskset -c "$DRIVER_CPUS" node "$HERE/login.mjs" "$mode" --url "http://$HOST:${PORT[$server]}" \
        --email "$EMAIL" --password "$PASSWORD" --json "$json" "${DRIVER_FLAGS[@]}" "$@" >/dev/null
}

log "load before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- (c) logins a second, interleaved ----
if [[ " $PHASES " == *" rate "* ]]; then
    for server in $SERVERS; do
        start "$server" "$server"
        seed "$server"
    done
    read -ra order <<<"$SERVERS"
    for ((round = 1; round <= ROUNDS; round++)); do
        for c in $CONCURRENCIES; do
            for server in "${order[@]}"; do
                json=$WORK/rate.$server.c$c.r$round.json
                driver rate "$server" "$json" --connections "$c" --duration "$DURATION" --warmup "$WARMUP" \
                    --pid "${PID[$server]}"
                log "round $round, $c connections, $server: $(node -e '
                    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
                    console.log(`${r.perSecond.toFixed(1)} logins/s over ${r.seconds.toFixed(1)} s, p50 ${r.latency.p50.toFixed(0)} ms, ` +
                        `server CPU ${r.serverCpuMsPerLogin?.toFixed(1)} ms/login, answers ${JSON.stringify(r.statuses)}` +
                        (r.allConnectionsMeasured ? "" : " (some connections had fewer than 2 answers)"))' "$json")"
            done
        done
        # The other server first in the next round.
        order=("${order[@]:1}" "${order[0]}")
    done
    for server in $SERVERS; do stop "$server"; done
fi

# ---- (d) memory during bursts, each server started afresh ----
if [[ " $PHASES " == *" burst "* ]]; then
    for server in $SERVERS; do
        start "$server" "$server-burst"
        sleep 1
        rss_kib "${PID[$server]}" >"$WORK/start.$server"
        seed "$server"
        sleep 1
        for ((b = 1; b <= BURSTS; b++)); do
            log "$server: burst $b of $BURST logins at once"
            driver burst "$server" "$WORK/burst.$server.$b.json" --n "$BURST" --pid "${PID[$server]}"
        done
        stop "$server"
    done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- (e) the tables ----
echo
echo "Local logins (POST /authentication, the right password): chat app (argon2id m=19456 t=2 p=1)"
echo "against FeathersJS 5 (bcryptjs cost 10); servers on cores $SERVER_CPUS, driver on cores $DRIVER_CPUS; load average after: $LOAD_AFTER"
node --input-type=module - "$WORK" "$ROUNDS" "$BURSTS" "$PHASES" "$CONCURRENCIES" $SERVERS <<'EOF'
import { readFileSync, existsSync } from 'node:fs'
const [work, rounds, bursts, phases, concurrencies, ...servers] = process.argv.slice(2)
const read = (name) => JSON.parse(readFileSync(`${work}/${name}.json`, 'utf8'))
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
const row = (cells) => console.log(cells.map((c, i) => i < 1 ? String(c).padEnd(10) : String(c).padStart(13)).join(' '))
const mb = (kib) => (kib / 1024).toFixed(1)
if (phases.includes('rate')) {
  console.log(`\nlogins/s, ${rounds} interleaved rounds (median [min-max]; p50 latency: median over rounds, ms)`)
  row(['server', 'connections', 'logins/s', 'min', 'max', 'p50 ms', 'CPU ms/login', 'not 201'])
  const medians = {}
  const cpus = {}
  for (const c of concurrencies.split(' ')) {
    for (const server of servers) {
      const runs = Array.from({ length: Number(rounds) }, (_, i) => read(`rate.${server}.c${c}.r${i + 1}`))
      const rates = runs.map((r) => r.perSecond)
      const failed = runs.reduce((sum, r) => sum + Object.entries(r.statuses).filter(([s]) => s !== '201').reduce((a, [, n]) => a + n, 0), 0)
      medians[`${server} ${c}`] = median(rates)
      cpus[`${server} ${c}`] = median(runs.map((r) => r.serverCpuMsPerLogin ?? NaN))
      const partial = runs.some((r) => !r.allConnectionsMeasured) ? '*' : ''
      row([server, c, median(rates).toFixed(1) + partial, Math.min(...rates).toFixed(1), Math.max(...rates).toFixed(1),
        median(runs.map((r) => r.latency.p50)).toFixed(0), cpus[`${server} ${c}`].toFixed(1), failed])
    }
    const chat = medians[`chat ${c}`]
    const feathers = medians[`feathers ${c}`]
    if (chat !== undefined && feathers !== undefined) {
      console.log(`ratio chat/feathers at ${c} connections: logins/s ${(chat / feathers).toFixed(2)}, ` +
        `server CPU per login (feathers/chat) ${(cpus[`feathers ${c}`] / cpus[`chat ${c}`]).toFixed(2)}`)
    }
  }
  console.log('(CPU ms/login: the server process\'s user + system CPU time a second, divided by its logins a second;')
  console.log(' median over rounds;')
  console.log(' * a run in which some connection had fewer than 2 answers in 6 times DURATION: not counted in its rate)')
}
if (phases.includes('burst')) {
  console.log(`\nbursts of logins sent at once on a freshly started server (MB = 1024 KiB of VmRSS; ms from sending)`)
  row(['server', 'burst', 'answers', 'RSS at start', 'before', 'peak', 'growth', '1 s after', 'first ms', 'last ms', 'first-to-last'])
  for (const server of servers) {
    const start = Number(readFileSync(`${work}/start.${server}`, 'utf8'))
    for (let b = 1; b <= Number(bursts); b++) {
      if (!existsSync(`${work}/burst.${server}.${b}.json`)) continue
      const r = read(`burst.${server}.${b}`)
      const m = r.memoryKiB
      row([server, `${b} (n=${r.n})`, Object.entries(r.statuses).map(([s, n]) => `${n}x${s}`).join(' '),
        mb(start), mb(m.before), mb(m.peak), mb(m.growth), mb(m.after),
        r.firstAnswerMs.toFixed(0), r.lastAnswerMs.toFixed(0), r.firstToLastMs.toFixed(0)])
      if (!m.hwmReset) console.log(`  (${server} burst ${b}: VmHWM could not be reset; peak sampled every 2 ms only)`)
    }
  }
  console.log('(RSS at start: before the user was made; before: after the user and one login; peak: VmHWM reset')
  console.log(' just before the burst, and VmRSS sampled every 2 ms; growth: peak - before)')
}
EOF
