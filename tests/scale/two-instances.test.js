// Two chat processes sharing one PostgreSQL database and one Redis, as
// behind a load balancer (CONTRACT.md "Start", DESIGN.md "Scaling out"):
// a socket on either instance receives, exactly once, the events of writes
// made over REST on the other.
//
// Needs DATABASE_URL (a PostgreSQL database both instances share) and
// REDIS_URL; CHAT_BIN names the chat binary (target/debug/examples/chat by
// default). `.ci/run` provides them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { io } from 'socket.io-client'

const bin = process.env.CHAT_BIN ?? new URL('../../target/debug/examples/chat', import.meta.url).pathname
const database = process.env.DATABASE_URL
const redis = process.env.REDIS_URL
const secret = randomBytes(24).toString('hex')
const instances = []

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

async function start(name) {
  const port = await freePort()
  const child = spawn(bin, [], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', AUTH_SECRET: secret, DATABASE_URL: database, REDIS_URL: redis, RUST_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let log = ''
  child.stdout.on('data', (chunk) => { log += chunk })
  child.stderr.on('data', (chunk) => { log += chunk })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  // Up once it answers REST and its sync has connected to Redis.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${log}`)
    try {
      const response = await fetch(`${url}/messages`)
      if (response.ok && /redis sync: connected/.test(log)) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} did not start:\n${log}`)
    await sleep(100)
  }
  const instance = { name, url, child, log: () => log }
  instances.push(instance)
  return instance
}

function connect(url) {
  const socket = io(url, { transports: ['websocket'], forceNew: true })
  const received = []
  socket.onAny((event, data) => received.push({ event, data }))
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve({ socket, received }))
    socket.on('connect_error', reject)
  })
}

const call = (socket, method, ...args) =>
  new Promise((resolve, reject) =>
    socket.emit(method, ...args, (error, result) => (error ? reject(error) : resolve(result)))
  )

async function post(url, path, body, token) {
  const response = await fetch(`${url}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body)
  })
  assert.equal(response.status, 201, await response.clone().text())
  return response.json()
}

async function until(condition, what) {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

const count = (client, event, predicate) =>
  client.received.filter((entry) => entry.event === event && predicate(entry.data)).length

let a, b
before(async () => {
  assert.ok(database?.startsWith('postgres'), 'DATABASE_URL must name a PostgreSQL database')
  assert.ok(redis?.startsWith('redis'), 'REDIS_URL must name a Redis server')
  a = await start('A')
  b = await start('B')
})

after(() => {
  for (const instance of instances) instance.child.kill('SIGTERM')
})

test("a socket on each instance receives the other's REST writes once", async () => {
  const onA = await connect(a.url)
  const onB = await connect(b.url)
  const fromB = await post(b.url, 'messages', { text: `from B ${Date.now()}` })
  const fromA = await post(a.url, 'messages', { text: `from A ${Date.now()}` })
  for (const [client, message] of [[onA, fromB], [onB, fromB], [onA, fromA], [onB, fromA]]) {
    await until(() => count(client, 'messages created', (data) => data.id === message.id) > 0, `message ${message.id}`)
  }
  // Nothing arrives twice, late.
  await sleep(500)
  for (const client of [onA, onB]) {
    for (const message of [fromA, fromB]) {
      assert.equal(count(client, 'messages created', (data) => data.id === message.id), 1)
      assert.deepEqual(client.received.find((entry) => entry.data?.id === message.id).data, message)
    }
  }
  onA.socket.close()
  onB.socket.close()
})

test("a user's own record's events reach their socket on the other instance, and nobody else's", async () => {
  const email = `scale-${Date.now()}@example.com`
  const user = await post(a.url, 'users', { email, password: 'pa55word' })
  const login = await post(a.url, 'authentication', { strategy: 'local', email, password: 'pa55word' })
  const mine = await connect(b.url)
  const stranger = await connect(b.url)
  await call(mine.socket, 'create', 'authentication', { strategy: 'jwt', accessToken: login.accessToken })
  const response = await fetch(`${a.url}/users/${user.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` },
    body: JSON.stringify({ email: `new-${email}` })
  })
  assert.equal(response.status, 200)
  await until(() => count(mine, 'users patched', (data) => data.id === user.id) > 0, 'users patched')
  await sleep(500)
  assert.equal(count(mine, 'users patched', (data) => data.id === user.id), 1)
  assert.equal(count(stranger, 'users patched', () => true), 0)
  for (const entry of mine.received) assert.equal(entry.data?.password, undefined)
  mine.socket.close()
  stranger.socket.close()
})
