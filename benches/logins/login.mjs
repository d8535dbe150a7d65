// The load generator of the logins benchmark: local logins
// (`POST /authentication {"strategy":"local","email","password"}`, the right
// password) against one server, in one of two modes.
//
//   node login.mjs rate  --url http://127.0.0.1:3030 --email E --password P \
//        --connections 8 --duration 8 --warmup 2 [--pid <server pid>] [--json FILE]
//   node login.mjs burst --url http://127.0.0.1:3030 --email E --password P \
//        --n 100 --pid <server pid> [--json FILE]
//
// rate: `--connections` keep-alive connections, each sending one login after
// the other; after `--warmup` seconds, logins answered 201 with an access
// token are measured for `--duration` seconds (longer, up to 6 times, until
// every connection has had two answers). Logins a second is the sum of each
// connection's own rate, (answers - 1) / (its last answer - its first).
//
// burst: `--n` connections opened first, then one login written on each in
// the same turn of the event loop (`Connection: close`), with the server's
// VmRSS read from /proc/<pid>/status every 2 ms until the last answer, and
// its VmHWM (peak RSS) reset just before the burst (`/proc/<pid>/clear_refs`)
// and read after it.
//
// Each connection has its own source address on the loopback (127.0.2.1,
// 127.0.2.2, ...), so the chat app's per-client hash queue (8 waiting at most
// per client address) sees as many clients as connections, as a burst of
// logins from many users would be; `--one-address` sends all from 127.0.0.1.
import http from 'node:http'
import net from 'node:net'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    email: { type: 'string', default: 'bench@example.com' },
    password: { type: 'string', default: 'correct horse battery staple' },
    connections: { type: 'string', default: '1' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    n: { type: 'string', default: '100' },
    pid: { type: 'string' },
    json: { type: 'string' },
    'one-address': { type: 'boolean', default: false }
  }
})
const mode = positionals[0]
if (!values.url || !['rate', 'burst'].includes(mode)) {
  console.error('usage: node login.mjs rate|burst --url URL [options] (see the header of this file)')
  process.exit(2)
}
const url = new URL('/authentication', values.url)
const body = JSON.stringify({ strategy: 'local', email: values.email, password: values.password })
const address = (i) => (values['one-address'] ? '127.0.0.1' : `127.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`)
const now = () => Number(process.hrtime.bigint()) / 1e6 // ms
const positive = (name) => {
  const n = Number(values[name])
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number`)
    process.exit(2)
  }
  return n
}
const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN)

/** One login over `agent`: its status, whether it carried a token, its time. */
function login (agent) {
  return new Promise((resolve) => {
    const started = now()
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        resolve({ status: response.statusCode, token: text.includes('"accessToken"'), ms: now() - started })
      })
    })
    request.on('error', (error) => resolve({ status: error.code ?? 'error', token: false, ms: now() - started }))
    request.end(body)
  })
}

async function rate () {
  const connections = positive('connections')
  const duration = positive('duration') * 1000
  const warmup = Number(values.warmup) * 1000
  const start = now()
  const measureFrom = start + warmup
  // Measured for `duration`, longer if a connection has not had two answers
  // by then (a server that interleaves every login answers each connection
  // once per cycle of all of them), but never more than 6 times as long.
  const cap = measureFrom + 6 * duration
  const statuses = {}
  const latencies = []
  const answered = Array.from({ length: connections }, () => [])
  let stopped = false
  let stoppedAt = cap
  const enough = () => answered.every((times) => times.length >= 2)
  // The server's CPU time over the measured logins, with --pid.
  let cpuFrom = null
  let cpuTo = null
  const worker = async (i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: address(i) })
    while (!stopped) {
      const outcome = await login(agent)
      const done = now()
      if (stopped || done < measureFrom) continue
      if (values.pid && cpuFrom === null) cpuFrom = { at: done, ms: cpuMs(values.pid) }
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1
      if (outcome.status === 201 && outcome.token) {
        answered[i].push(done)
        latencies.push(outcome.ms)
      }
      if ((done >= measureFrom + duration && enough()) || done >= cap) {
        stopped = true
        stoppedAt = done
        if (values.pid) cpuTo = cpuMs(values.pid)
      }
    }
    agent.destroy()
  }
  await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)))
  latencies.sort((a, b) => a - b)
  // Each connection's own rate, from its first to its last measured answer
  // (one login after the other, so whole logins between them), summed: a
  // server that answers all connections in bunches is measured as fairly
  // as one that answers them one by one.
  const perSecond = answered.reduce((sum, times) =>
    times.length >= 2 ? sum + (times.length - 1) / ((times.at(-1) - times[0]) / 1000) : sum, 0)
  const logins = answered.reduce((sum, times) => sum + times.length, 0)
  return {
    mode,
    connections,
    seconds: (stoppedAt - measureFrom) / 1000,
    logins,
    perSecond,
    allConnectionsMeasured: enough(),
    // The server's CPU time per login: the share of a core it used between
    // the two readings (the first and the last measured answer) divided by
    // the logins a second, so that logins answered in bunches do not count
    // the work of a bunch done before the first reading.
    serverCpuMsPerLogin: cpuFrom && cpuTo !== null && stoppedAt > cpuFrom.at && perSecond > 0
      ? (cpuTo - cpuFrom.ms) / ((stoppedAt - cpuFrom.at) / 1000) / perSecond
      : null,
    statuses,
    latency: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? NaN }
  }
}

/** The CPU time (user + system, ms) the process has used, all its threads. */
function cpuMs (pid) {
  // Fields after the command's closing parenthesis: utime and stime are the
  // 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** The server's VmRSS and VmHWM, in KiB. */
function memory (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}

async function burst () {
  const n = positive('n')
  const pid = values.pid
  if (!pid) {
    console.error('burst needs --pid')
    process.exit(2)
  }
  const port = Number(url.port || 80)
  const request =
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  // Every connection open before any login is sent.
  const sockets = await Promise.all(Array.from({ length: n }, (_, i) => new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port, localAddress: address(i) }, () => resolve(socket))
    socket.setNoDelay(true)
    socket.once('error', reject)
  })))
  const before = memory(pid)
  let hwmReset = true
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
  } catch {
    hwmReset = false
  }
  let sampledPeak = memory(pid).rss
  let samples = 0
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, memory(pid).rss)
    samples += 1
  }, 2)
  const answers = sockets.map((socket) => new Promise((resolve) => {
    let first = null
    let head = ''
    socket.on('data', (chunk) => {
      if (first === null) first = now()
      if (head.length < 64) head += chunk.toString('latin1', 0, 64)
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 'none'
      resolve({ status, at: first })
    })
  }))
  const sent = now()
  for (const socket of sockets) socket.write(request)
  const outcomes = await Promise.all(answers)
  clearInterval(sampler)
  const during = memory(pid)
  sampledPeak = Math.max(sampledPeak, during.rss)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const after = memory(pid)
  const times = outcomes.map((o) => o.at).filter((t) => t !== null).sort((a, b) => a - b)
  const statuses = {}
  for (const { status } of outcomes) statuses[status] = (statuses[status] ?? 0) + 1
  const peakKiB = hwmReset ? Math.max(during.hwm, sampledPeak) : sampledPeak
  return {
    mode,
    n,
    statuses,
    firstAnswerMs: times[0] - sent,
    lastAnswerMs: times.at(-1) - sent,
    firstToLastMs: times.at(-1) - times[0],
    memoryKiB: {
      before: before.rss,
      peak: peakKiB,
      growth: peakKiB - before.rss,
      after: after.rss,
      hwmBeforeReset: before.hwm,
      hwmReset,
      sampledPeak,
      samples
    }
  }
}

const result = mode === 'rate' ? await rate() : await burst()
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2))
console.log(JSON.stringify(result))
