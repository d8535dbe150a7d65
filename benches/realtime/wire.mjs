// Fan-out as the loopback saw it: from a packet capture of a fanout.mjs run
// (tcpdump -i lo --time-stamp-precision=nano -w FILE 'tcp port PORT'), for
// each measured round the time from the packet that carried the POST's
// nonce to the server until the last packet that carried it to a client.
// Both times come from the kernel's clock as the packets went through the
// loopback, so the figure is the server's own fan-out: how long the
// harness then takes to read the N frames is not in it.
//
//   node wire.mjs --pcap FILE --port PORT --n 1000 [--json FILE]
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'

const { values: options } = parseArgs({
  options: {
    pcap: { type: 'string' },
    port: { type: 'string' },
    n: { type: 'string' },
    json: { type: 'string' }
  }
})

function fail (message) {
  console.error(`wire: ${message}`)
  process.exit(1)
}

const port = Number(options.port)
const n = Number(options.n)
if (!options.pcap || !Number.isInteger(port) || !Number.isInteger(n) || n < 1) {
  fail('usage: node wire.mjs --pcap FILE --port PORT --n N [--json FILE]')
}

const data = await readFile(options.pcap)
const magic = data.readUInt32LE(0)
// 0xa1b2c3d4: microsecond timestamps; 0xa1b23c4d: nanosecond ones.
const perSecond = magic === 0xa1b23c4d ? 1e9 : magic === 0xa1b2c3d4 ? 1e6 : fail('not a little-endian pcap file')
const linkType = data.readUInt32LE(20)
// The link header before IP: Ethernet (1, what Linux's lo gives), Linux
// cooked capture (113, with -i any) or none (101, raw IP).
const linkLength = { 1: 14, 113: 16, 101: 0 }[linkType] ?? fail(`link type ${linkType} is not supported`)

// The nonce of a measured round, in a POST body and in every event.
const ROUND = /fanout round (\d+) ([0-9a-f]{16})/
const rounds = new Map() // nonce -> { round, post, last, clients }
// What an event's packet holds, and the POST's reply does not.
const EVENT = Buffer.from('42["messages created",')

let offset = 24
while (offset + 16 <= data.length) {
  const seconds = data.readUInt32LE(offset)
  const fraction = data.readUInt32LE(offset + 4)
  const captured = data.readUInt32LE(offset + 8)
  const packet = data.subarray(offset + 16, offset + 16 + captured)
  offset += 16 + captured
  const ip = linkLength
  if (packet.length < ip + 20 || packet[ip] >> 4 !== 4 || packet[ip + 9] !== 6) continue
  const tcp = ip + (packet[ip] & 0x0f) * 4
  if (packet.length < tcp + 20) continue
  const source = packet.readUInt16BE(tcp)
  const destination = packet.readUInt16BE(tcp + 2)
  const payload = packet.subarray(tcp + (packet[tcp + 12] >> 4) * 4)
  if (payload.length === 0) continue
  const match = ROUND.exec(payload.toString('latin1'))
  if (!match) continue
  // Nanoseconds, as a Number: exact for a capture's span.
  const time = (seconds * perSecond + fraction) * (1e9 / perSecond)
  const nonce = match[2]
  let round = rounds.get(nonce)
  if (!round) {
    round = { round: Number(match[1]), post: undefined, last: undefined, clients: new Set() }
    rounds.set(nonce, round)
  }
  if (destination === port && round.post === undefined) round.post = time
  else if (source === port && payload.includes(EVENT)) {
    round.last = time
    round.clients.add(destination)
  }
}

const results = []
for (const [nonce, round] of rounds) {
  if (round.post === undefined) fail(`round ${round.round} (${nonce}): no POST in the capture`)
  if (round.clients.size < n) {
    fail(`round ${round.round}: the capture shows ${round.clients.size} connections getting it, fewer than ${n}` +
      ' (packets dropped by the capture?)')
  }
  results.push({ round: round.round, wireMs: (round.last - round.post) / 1e6 })
}
if (results.length === 0) fail('no measured round in the capture')
results.sort((a, b) => a.round - b.round)

const sorted = results.map((r) => r.wireMs).sort((a, b) => a - b)
const rank = (p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
const summary = {
  rounds: results.length,
  wire: { median: rank(0.5), p90: rank(0.9), min: sorted[0], max: sorted[sorted.length - 1] },
  wireMs: results.map((r) => r.wireMs)
}
console.log(`on the wire, ${results.length} rounds: POST in to last event out median ${summary.wire.median.toFixed(2)} ms, ` +
  `p90 ${summary.wire.p90.toFixed(2)}, min ${summary.wire.min.toFixed(2)}, max ${summary.wire.max.toFixed(2)}`)
if (options.json) await writeFile(options.json, JSON.stringify(summary, null, 2) + '\n')
