// The least a server can do for the fan-out benchmark, to show where the
// harness's own limit is: on `POST /messages` it answers 201 and writes one
// prepared WebSocket frame `42["messages created",{...}]` to every socket,
// in one loop, with no channels, hooks or per-socket encoding. It speaks
// just enough Engine.IO 4 / Socket.IO 5 over WebSocket for fanout.mjs's
// two clients to connect (the open packet, the namespace's connect), and
// nothing else: not a server to use, a yardstick for the harness.
//
//   HOST=127.0.0.1 PORT=3143 node floor.mjs
import http from 'node:http'
import { createHash, randomBytes } from 'node:crypto'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 3143)
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

// An unmasked text frame, as a server sends.
function frame (text) {
  const payload = Buffer.from(text)
  const header = payload.length < 126
    ? Buffer.from([0x81, payload.length])
    : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([header, payload])
}

const sockets = new Set()
let nextId = 0

const server = http.createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    if (request.method !== 'POST') {
      response.writeHead(200, { 'Content-Type': 'application/json' })
      response.end('{"total":0,"limit":10,"skip":0,"data":[]}')
      return
    }
    let text
    try {
      text = JSON.parse(Buffer.concat(chunks).toString()).text
    } catch {
      text = undefined
    }
    if (typeof text !== 'string') {
      response.writeHead(400, { 'Content-Type': 'application/json' })
      response.end('{"name":"BadRequest","message":"A message needs text","code":400,"className":"bad-request"}')
      return
    }
    const record = JSON.stringify({ text, anonymous: true, id: nextId++ })
    response.writeHead(201, { 'Content-Type': 'application/json' })
    response.end(record)
    const event = frame(`42["messages created",${record}]`)
    for (const socket of sockets) socket.write(event)
  })
})

server.on('upgrade', (request, socket) => {
  const key = request.headers['sec-websocket-key']
  if (!key || !request.url?.startsWith('/socket.io/')) {
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
    return
  }
  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64')
  socket.setNoDelay(true)
  socket.on('error', () => sockets.delete(socket))
  socket.on('close', () => sockets.delete(socket))
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`)
  socket.write(frame(`0{"sid":"${randomBytes(8).toString('hex')}","upgrades":[],"pingInterval":25000,` +
    '"pingTimeout":20000,"maxPayload":1000000}'))
  // The first frame a client sends is its `40` (join the main namespace):
  // the floor takes any frame as that one and ignores what follows.
  socket.once('data', () => {
    socket.write(frame(`40{"sid":"${randomBytes(8).toString('hex')}"}`))
    sockets.add(socket)
  })
})

// Engine.IO's heartbeat, so that no client gives up on a long run.
const ping = frame('2')
setInterval(() => {
  for (const socket of sockets) socket.write(ping)
}, 25000).unref()

server.listen(port, host, () => {
  console.log(`floor server listening on http://${host}:${port} (pid ${process.pid})`)
})
