// Fan-out latency and memory per idle socket of a Feathers Socket.IO server.
//
//   node fanout.mjs --url http://127.0.0.1:3131 [--n 1000] [--rounds 20]
//       [--warmup 3] [--settle 5] [--pid PID] [--json FILE]
//       [--client socket.io|raw]
//
// Opens N WebSocket-only socket.io clients, each listening for
// `messages created`, waits until all are connected and settled, then for
// each round sends one anonymous REST `POST /messages` and measures the time
// from sending it until the last of the N clients has that event (matched
// by a nonce in the text). With --pid, also reads the server's VmRSS before
// the sockets connect and after they have idled for --settle seconds:
// (after - before) / N is the memory an idle socket costs the server.
// Everything runs in this one process: its own cost is in the figures, the
// same for every server (run it with --n 1 to see it alone).
//
// --client socket.io (the default) is the official socket.io-client 4,
// WebSocket only. --client raw speaks the same protocol (Engine.IO 4,
// Socket.IO 5, WebSocket only) over a WebSocket of its own on a bare TCP
// socket and never decodes an event, only looks for the round's nonce in
// its bytes: it costs the harness about half as much per event, so a
// server faster than the official client can read shows as faster.
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import net from 'node:net'
import { io } from 'socket.io-client'

const { values: options } = parseArgs({
  options: {
    url: { type: 'string' },
    n: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    settle: { type: 'string', default: '5' },
    pid: { type: 'string' },
    client: { type: 'string', default: 'socket.io' },
    json: { type: 'string' },
    'connect-batch': { type: 'string', default: '50' },
    'round-timeout': { type: 'string', default: '30' }
  }
})

function positive (name, { zero = false } = {}) {
  const value = Number(options[name])
  if (!Number.isInteger(value) || value < (zero ? 0 : 1)) {
    fail(`--${name} must be a ${zero ? 'non-negative' : 'positive'} integer, not '${options[name]}'`)
  }
  return value
}

function fail (message) {
  console.error(`fanout: ${message}`)
  process.exit(1)
}

const log = (message) => console.error(`fanout: ${message}`)

if (!options.url) fail('--url is required (the server, e.g. http://127.0.0.1:3131)')
const url = options.url.replace(/\/+$/, '')
const n = positive('n')
const rounds = positive('rounds')
const warmup = positive('warmup', { zero: true })
const settleSeconds = positive('settle', { zero: true })
const connectBatch = positive('connect-batch')
const roundTimeoutMs = positive('round-timeout') * 1000
const pid = options.pid === undefined ? undefined : positive('pid')
if (!['socket.io', 'raw'].includes(options.client)) fail(`--client must be socket.io or raw, not '${options.client}'`)

// The server's resident set in KiB, from /proc (what `ps` calls RSS).
async function rssKiB () {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const line = status.split('\n').find((l) => l.startsWith('VmRSS:'))
  if (!line) fail(`no VmRSS in /proc/${pid}/status`)
  return Number(line.split(/\s+/)[1])
}

// A connected socket of the chosen client, calling onEvent with each
// `messages created` and onClose if the server drops it: { close() }.
function connect (onEvent, onClose) {
  return options.client === 'raw' ? connectRaw(onEvent, onClose) : connectSocketIo(onEvent, onClose)
}

function connectSocketIo (onEvent, onClose) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20000
    })
    socket.once('connect', () => {
      socket.on('messages created', (message) => onEvent(message?.text))
      socket.on('disconnect', onClose)
      resolve(socket)
    })
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

// The raw client: Engine.IO 4 over a WebSocket of its own on a bare TCP
// socket (RFC 6455, the least of it: one handshake, unfragmented frames
// from the server, masked text frames to it). The server opens with
// `0{...}`, the client joins the main namespace with `40` and is in once it
// gets `40{...}`; the server pings with `2`, the client answers `3`; an
// event is `42["name",...args]`, handed on as the frame's bytes, unparsed.
const EVENT_PREFIX = Buffer.from('42["messages created",')

// A masked text frame, as a client must send (payloads under 126 bytes).
function textFrame (text) {
  const payload = Buffer.from(text)
  const mask = randomBytes(4)
  const frame = Buffer.alloc(6 + payload.length)
  frame[0] = 0x81
  frame[1] = 0x80 | payload.length
  mask.copy(frame, 2)
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ mask[i & 3]
  return frame
}

function connectRaw (onEvent, onClose) {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const socket = net.connect({ host: target.hostname, port: Number(target.port) || 80, noDelay: true })
    let connected = false
    let handshaken = false
    let buffer = Buffer.alloc(0)
    const refuse = (error) => {
      clearTimeout(timer)
      socket.destroy()
      if (connected) onClose()
      else reject(error)
    }
    const timer = setTimeout(() => refuse(new Error('timed out')), 20000)
    socket.on('error', refuse)
    socket.on('close', () => { if (connected) onClose() })
    socket.on('connect', () => {
      socket.write(`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${target.host}\r\n` +
        'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    })
    const packet = (payload) => {
      if (payload.indexOf(EVENT_PREFIX) === 0) {
        onEvent(payload)
        return
      }
      const text = payload.toString()
      if (text === '2') socket.write(textFrame('3'))
      else if (text.startsWith('0{')) socket.write(textFrame('40'))
      else if (text.startsWith('40') && !connected) {
        connected = true
        clearTimeout(timer)
        resolve({ close: () => { connected = false; socket.destroy() } })
      } else if (text.startsWith('41') && connected) refuse(new Error('left the namespace'))
      else if (text.startsWith('44')) refuse(new Error(`namespace refused: ${text}`))
    }
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      if (!handshaken) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffer.subarray(0, end).toString('latin1')
        if (!/^HTTP\/1\.1 101 /.test(head)) return refuse(new Error(`no upgrade: ${head.split('\r\n')[0]}`))
        handshaken = true
        buffer = buffer.subarray(end + 4)
      }
      while (buffer.length >= 2) {
        const fin = buffer[0] & 0x80
        const opcode = buffer[0] & 0x0f
        if (buffer[1] & 0x80) return refuse(new Error('a masked frame from the server'))
        let length = buffer[1] & 0x7f
        let offset = 2
        if (length === 126) {
          if (buffer.length < 4) break
          length = buffer.readUInt16BE(2)
          offset = 4
        } else if (length === 127) {
          if (buffer.length < 10) break
          length = Number(buffer.readBigUInt64BE(2))
          offset = 10
        }
        if (buffer.length < offset + length) break
        const payload = buffer.subarray(offset, offset + length)
        buffer = buffer.subarray(offset + length)
        if (!fin || opcode === 0) return refuse(new Error('a fragmented message (not supported by --client raw)'))
        if (opcode === 1) packet(payload)
        else if (opcode === 8) return refuse(new Error('closed by the server'))
        else if (opcode === 9) socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length]), Buffer.alloc(4), payload]))
      }
    })
  })
}

async function post (text) {
  const response = await fetch(`${url}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ text })
  })
  const body = await response.text()
  if (response.status !== 201) fail(`POST /messages answered ${response.status}: ${body}`)
  return JSON.parse(body)
}

// The round in flight: its text, how many clients have it, and when the
// first and the last got it. One object, so the handler does one compare.
let current = null
let disconnects = 0
const onDisconnect = () => { disconnects += 1 }

// socket.io hands the event's text, raw the whole packet's bytes: the
// nonce in the text is unique enough to be found either way.
function onCreated (text) {
  const round = current
  if (round === null || !text?.includes?.(round.nonce)) return
  round.count += 1
  if (round.count === 1) round.first = process.hrtime.bigint()
  if (round.count === n) {
    round.last = process.hrtime.bigint()
    round.done()
  }
}

// One create and the time until all N clients have its event (ms), and
// until the first had it.
async function round (label) {
  const nonce = randomBytes(8).toString('hex')
  const text = `fanout ${label} ${nonce}`
  let done
  const all = new Promise((resolve) => { done = resolve })
  current = { nonce, count: 0, first: 0n, last: 0n, done }
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  const created = post(text)
  let timer
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, roundTimeoutMs, 'timeout') })
  const outcome = await Promise.race([all.then(() => 'all'), timeout])
  // The harness's own CPU time in the round (user + system, until the last
  // client had the event): near the fan-out time, the harness is the limit.
  const used = process.cpuUsage(cpu)
  clearTimeout(timer)
  await created
  const { count, first, last } = current
  current = null
  if (outcome === 'timeout') {
    fail(`round ${label}: only ${count} of ${n} clients had the event after ${roundTimeoutMs / 1000} s`)
  }
  return {
    lastMs: Number(last - start) / 1e6,
    firstMs: Number(first - start) / 1e6,
    cpuMs: (used.user + used.system) / 1000,
    userMs: used.user / 1000
  }
}

function stats (values) {
  const sorted = [...values].sort((a, b) => a - b)
  // Nearest rank: the smallest value with at least p of the values at or below it.
  const rank = (p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
  return { median: rank(0.5), p90: rank(0.9), min: sorted[0], max: sorted[sorted.length - 1] }
}

const ms = (value) => value.toFixed(2)

// ---- the sockets ----
// One socket connected, used and closed before the memory baseline, so that
// what the server allocates once (on its first connection and first
// create) is not counted per socket.
{
  const socket = await connect(() => {}, () => {}).catch((error) => fail(`cannot connect to ${url}: ${error.message}`))
  await post('fanout warm-up of the server')
  socket.close()
  await sleep(1000)
}

const before = pid === undefined ? undefined : await rssKiB()
const sockets = []
const started = process.hrtime.bigint()
for (let i = 0; i < n; i += connectBatch) {
  const batch = []
  for (let j = i; j < Math.min(n, i + connectBatch); j++) batch.push(connect(onCreated, onDisconnect))
  const connected = await Promise.allSettled(batch)
  for (const result of connected) {
    if (result.status === 'rejected') {
      fail(`socket ${sockets.length + 1} of ${n} could not connect: ${result.reason?.message}`)
    }
    sockets.push(result.value)
  }
}
const connectMs = Number(process.hrtime.bigint() - started) / 1e6
log(`${n} sockets connected in ${ms(connectMs)} ms; settling ${settleSeconds} s`)
await sleep(settleSeconds * 1000)
const after = pid === undefined ? undefined : await rssKiB()

// ---- the rounds ----
for (let i = 1; i <= warmup; i++) await round(`warm-up ${i}`)
const results = []
for (let i = 1; i <= rounds; i++) {
  await sleep(200) // the server idle again between rounds
  results.push(await round(`round ${i}`))
}
if (disconnects > 0) fail(`${disconnects} sockets were disconnected during the run`)
for (const socket of sockets) socket.close()

const last = stats(results.map((r) => r.lastMs))
const first = stats(results.map((r) => r.firstMs))
const cpu = stats(results.map((r) => r.cpuMs))
const user = stats(results.map((r) => r.userMs))
const summary = {
  url,
  client: options.client,
  n,
  rounds,
  warmup,
  connectMs,
  last,
  first,
  harnessCpu: cpu,
  harnessUser: user,
  lastMs: results.map((r) => r.lastMs),
  memory: pid === undefined
    ? null
    : { pid, beforeKiB: before, afterKiB: after, perSocketKiB: (after - before) / n, settleSeconds }
}

console.log(`fan-out to ${n} sockets (${options.client} client), ${rounds} rounds (after ${warmup} warm-up): ` +
  `last client median ${ms(last.median)} ms, p90 ${ms(last.p90)}, min ${ms(last.min)}, max ${ms(last.max)}; ` +
  `first client median ${ms(first.median)} ms; harness CPU per round median ${ms(cpu.median)} ms (user ${ms(user.median)})`)
if (summary.memory) {
  const m = summary.memory
  console.log(`server RSS ${m.beforeKiB} KiB before, ${m.afterKiB} KiB with ${n} idle sockets ` +
    `(${settleSeconds} s settled): ${m.perSocketKiB.toFixed(1)} KiB per socket`)
}
if (options.json) await writeFile(options.json, JSON.stringify(summary, null, 2) + '\n')
