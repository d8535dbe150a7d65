// The stalled clients of scripts/soak.sh: COUNT sockets connect over
// WebSocket with socket.io-client (anonymous, so every `messages created`
// is sent to them), then this process prints "ready" and waits; the soak
// stops it with SIGSTOP, so from then on nothing reads these sockets, nor
// answers the server's pings, until the soak kills it. The server must let
// them go (a missed ping, or a full per-socket buffer) without the other
// clients noticing.
//
// Usage: node stall.mjs URL COUNT

import { io } from 'socket.io-client'

const [url, count] = [process.argv[2], Number(process.argv[3])]
if (!url || !Number.isInteger(count) || count < 1) {
  console.error('usage: node stall.mjs URL COUNT')
  process.exit(2)
}

const sockets = Array.from({ length: count }, () =>
  io(url, { forceNew: true, reconnection: false, transports: ['websocket'] }))
await Promise.all(sockets.map((socket) => new Promise((resolve, reject) => {
  socket.once('connect', resolve)
  socket.once('connect_error', reject)
})))
process.stdout.write('ready\n')
// Kept alive by the sockets; the soak stops and then kills this process.
