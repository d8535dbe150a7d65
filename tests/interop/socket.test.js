// Drives the Rust `chat` example over Socket.IO with the official FeathersJS
// v5 socket client (@feathersjs/socketio-client with socket.io-client 4 and
// @feathersjs/authentication-client), unchanged: calls and their errors,
// authentication over the socket, and the chat app's channels (CONTRACT.md,
// "Real-time (Socket.IO)"). Run with `npm test`.

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

import { feathers } from '@feathersjs/feathers'
import socketio from '@feathersjs/socketio-client'
import authentication, { MemoryStorage } from '@feathersjs/authentication-client'
import { io } from 'socket.io-client'

import { startChat } from './chat-server.js'

// How long an answer or an event may take before the test gives up on it.
const WAIT_MS = 5_000

let chat // the running binary
const clients = [] // every client made, disconnected at the end

/**
 * A Feathers client on a socket of its own (`forceNew`: socket.io-client
 * would otherwise share one connection between clients of the same URL).
 * It records every event the server sends it, in order, as `[name, data]`.
 * `transports: ['websocket']` connects with WebSocket at once; the default
 * starts with HTTP long-polling and upgrades.
 */
function socketClient (name, { transports, storage = new MemoryStorage() } = {}) {
  const socket = io(chat.url, {
    forceNew: true,
    reconnection: false,
    ackTimeout: WAIT_MS, // a call that is never answered fails instead of hanging
    ...(transports ? { transports } : {})
  })
  const app = feathers()
  app.configure(socketio(socket))
  app.configure(authentication({ storage }))
  const events = []
  socket.onAny((event, data) => events.push([event, data]))
  const client = { name, app, socket, storage, events }
  clients.push(client)
  return client
}

function connected (client) {
  if (client.socket.connected) return Promise.resolve()
  return new Promise((resolve, reject) => {
    client.socket.once('connect', resolve)
    client.socket.once('connect_error', reject)
  })
}

/** Waits until `client` got the event `name` whose data passes `match`; its data. */
async function received (client, name, match = () => true) {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const found = client.events.find(([event, data]) => event === name && match(data))
    if (found) return found[1]
    if (Date.now() > deadline) {
      const seen = client.events.map(([event, data]) => `${event} ${JSON.stringify(data)}`)
      assert.fail(`${client.name} did not receive ${name} in ${WAIT_MS} ms; it got:\n${seen.join('\n')}`)
    }
    await sleep(20)
  }
}

/**
 * Every client has seen everything published before now: an anonymous
 * message goes to every connection, after whatever each connection was
 * sent before it (a connection's events arrive in the order published), so
 * an event a client has not got by then was not sent to it.
 */
async function barrier (writer, readers) {
  const mark = await writer.app.service('messages').create({ text: `barrier ${Date.now()}` })
  for (const reader of readers) await received(reader, 'messages created', (m) => m.id === mark.id)
}

function eventsOf (client, name, match = () => true) {
  return client.events.filter(([event, data]) => event === name && match(data))
}

/** Resolves with the rejection of `promise`; fails if it resolves. */
async function rejection (promise) {
  try {
    const value = await promise
    assert.fail(`expected a rejection, got ${JSON.stringify(value)}`)
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error
    return error
  }
}

/** `error` is the Feathers error `name` (as the socket client rebuilds it from the server's JSON). */
function assertFeathersError (error, name, code, className) {
  assert.equal(error.name, name, `${error.name}: ${error.message}`)
  assert.equal(error.code, code, `${error.name}: ${error.message}`)
  assert.equal(error.className, className)
  assert.equal(typeof error.message, 'string')
}

const notAuthenticated = (error, message) => {
  assertFeathersError(error, 'NotAuthenticated', 401, 'not-authenticated')
  if (message !== undefined) assert.equal(error.message, message)
}

/** Every key anywhere in `value`, to look for a password. */
function keysIn (value, keys = new Set()) {
  if (Array.isArray(value)) value.forEach((item) => keysIn(item, keys))
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      keys.add(key)
      keysIn(item, keys)
    }
  }
  return keys
}

const unique = `${Date.now()}-${process.pid}`
const password = 'correct horse battery staple'
const adaEmail = `ada-${unique}@example.com`
const bobEmail = `bob-${unique}@example.com`
const results = [] // every result of the tests' calls, searched for a password at the end

describe(`chat example over Socket.IO with the official Feathers v5 client, on ${process.env.DATABASE_URL || 'the default SQLite file'}`, () => {
  let anonymous // never logs in; WebSocket only
  let ada // logs in with the local strategy; polling, then upgraded
  let bob // another user; WebSocket only
  let adaUser
  let bobUser
  let bobLogin

  before(async () => {
    chat = await startChat('socket', { AUTH_SECRET: 'socket-interop-secret-' + process.pid })
    anonymous = socketClient('anonymous', { transports: ['websocket'] })
    ada = socketClient('ada')
    bob = socketClient('bob', { transports: ['websocket'] })
    await Promise.all([anonymous, ada, bob].map(connected))
  })

  after(async () => {
    for (const client of clients) {
      // A logged-in client re-authenticates when its socket disconnects;
      // forgetting the login first keeps that call from outliving the test.
      await client.app.authentication.reset()
      client.socket.disconnect()
    }
    if (!chat) return
    const status = await chat.stop()
    rmSync(chat.workDir, { recursive: true, force: true })
    assert.deepEqual(status, { code: 0, signal: null }, `chat did not exit cleanly on SIGTERM\n${chat.logs()}`)
    const plain = chat.logs().replace(/\u001b\[[0-9;]*m/g, '')
    assert.doesNotMatch(plain, /panicked/, 'the server panicked')
  })

  test('one client connects with WebSocket, the other with polling and upgrades', async () => {
    assert.equal(anonymous.socket.io.engine.transport.name, 'websocket')
    const engine = ada.socket.io.engine
    if (engine.transport.name !== 'websocket') {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no upgrade to WebSocket')), WAIT_MS)
        engine.once('upgrade', () => { clearTimeout(timer); resolve() })
      })
    }
    assert.equal(engine.transport.name, 'websocket')
  })

  test('anonymous calls: find, create, get; errors as Feathers errors', async () => {
    const messages = anonymous.app.service('messages')
    const page = await messages.find()
    assert.deepEqual(Object.keys(page).sort(), ['data', 'limit', 'skip', 'total'])
    assert.equal(page.limit, 10)

    const message = await messages.create({ text: 'hello over the socket' })
    results.push(message)
    assert.equal(message.text, 'hello over the socket')
    assert.equal(message.anonymous, true)
    assert.equal(message.userId, undefined)
    assert.deepEqual(await messages.get(message.id), message)

    // The query travels as JSON: numbers stay numbers.
    const newest = await messages.find({ query: { $limit: 1, $sort: { id: -1 } } })
    assert.equal(newest.limit, 1)
    assert.equal(newest.data[0].id, message.id)

    notAuthenticated(await rejection(anonymous.app.service('secrets').find()))
    assertFeathersError(await rejection(messages.get(987654321)), 'NotFound', 404, 'not-found')
    const empty = await rejection(messages.create({ text: '' }))
    assertFeathersError(empty, 'BadRequest', 400, 'bad-request')
    // Anonymous messages can not be changed by external callers.
    for (const call of [() => messages.patch(message.id, { text: 'changed' }), () => messages.remove(message.id)]) {
      const error = await rejection(call())
      assert.ok([401, 403].includes(error.code), `${error.name} ${error.code}: ${error.message}`)
    }
    assert.equal((await messages.get(message.id)).text, 'hello over the socket')
    assertFeathersError(await rejection(anonymous.app.service('nowhere').find()), 'NotFound', 404, 'not-found')
  })

  test('sign-up over the socket never returns the password', async () => {
    adaUser = await anonymous.app.service('users').create({ email: adaEmail, password })
    bobUser = await anonymous.app.service('users').create({ email: bobEmail, password })
    results.push(adaUser, bobUser)
    assert.equal(adaUser.email, adaEmail)
    assert.equal('password' in adaUser, false, JSON.stringify(adaUser))
    assertFeathersError(
      await rejection(anonymous.app.service('users').create({ email: adaEmail, password })),
      'Conflict', 409, 'conflict'
    )
  })

  test('a bad login is 401 and the socket stays usable anonymously', async () => {
    notAuthenticated(
      await rejection(anonymous.app.authenticate({ strategy: 'local', email: adaEmail, password: 'wrong' })),
      'Invalid login'
    )
    notAuthenticated(await rejection(anonymous.app.service('secrets').find()))
    const message = await anonymous.app.service('messages').create({ text: 'still here' })
    assert.equal(message.anonymous, true)
    await received(anonymous, 'messages created', (m) => m.id === message.id)
    assert.equal(anonymous.socket.connected, true)
  })

  test('authenticate({ strategy: "local" }) logs the socket in', async () => {
    const login = await ada.app.authenticate({ strategy: 'local', email: adaEmail, password })
    results.push(login)
    assert.equal(login.accessToken.split('.').length, 3, 'accessToken is not a JWT')
    assert.equal(login.authentication.strategy, 'local')
    assert.equal(login.user.id, adaUser.id)
    assert.equal('password' in login.user, false)
    // Later calls on the socket carry no token: the connection is logged in.
    assert.deepEqual(await ada.app.service('secrets').find(), [{ secret: 'ok' }])
    const message = await ada.app.service('messages').create({ text: 'hello from ada' })
    assert.equal(message.userId, adaUser.id)
    assert.notEqual(message.anonymous, true)

    bobLogin = await bob.app.authenticate({ strategy: 'local', email: bobEmail, password })
    results.push(bobLogin)
    assert.equal(bobLogin.user.id, bobUser.id)
  })

  test('messages created reaches every client, anonymous and logged in', async () => {
    const fromAda = await ada.app.service('messages').create({ text: `ada says hi ${unique}` })
    const fromNobody = await anonymous.app.service('messages').create({ text: `nobody says hi ${unique}` })
    // A REST write publishes too.
    const response = await fetch(`${chat.url}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: `rest says hi ${unique}` })
    })
    assert.equal(response.status, 201)
    const fromRest = await response.json()
    for (const client of [anonymous, ada, bob]) {
      for (const message of [fromAda, fromNobody, fromRest]) {
        assert.deepEqual(await received(client, 'messages created', (m) => m.id === message.id), message)
      }
    }
    await barrier(anonymous, [anonymous, ada, bob])
    for (const client of [anonymous, ada, bob]) {
      assert.equal(eventsOf(client, 'messages created', (m) => m.id === fromAda.id).length, 1, `${client.name}: twice`)
    }
  })

  test('patch and remove by the author, events on both; Forbidden for another user', async () => {
    const messages = ada.app.service('messages')
    const message = await messages.create({ text: 'to be edited' })
    assertFeathersError(
      await rejection(bob.app.service('messages').patch(message.id, { text: 'bob was here' })),
      'Forbidden', 403, 'forbidden'
    )
    assertFeathersError(
      await rejection(bob.app.service('messages').remove(message.id)),
      'Forbidden', 403, 'forbidden'
    )
    const patched = await messages.patch(message.id, { text: 'edited' })
    assert.equal(patched.text, 'edited')
    assertFeathersError(
      await rejection(messages.patch(message.id, { userId: bobUser.id })),
      'BadRequest', 400, 'bad-request'
    )
    const removed = await messages.remove(message.id)
    assert.equal(removed.id, message.id)
    for (const client of [anonymous, ada, bob]) {
      assert.equal((await received(client, 'messages patched', (m) => m.id === message.id)).text, 'edited')
      assert.equal((await received(client, 'messages removed', (m) => m.id === message.id)).id, message.id)
    }
    assertFeathersError(await rejection(messages.get(message.id)), 'NotFound', 404, 'not-found')
  })

  test("a user gets their own record's users events, nobody else's", async () => {
    const users = ada.app.service('users')
    assert.deepEqual((await users.get(adaUser.id)).email, adaEmail)
    assertFeathersError(
      await rejection(users.patch(bobUser.id, { email: `taken-${unique}@example.com` })),
      'Forbidden', 403, 'forbidden'
    )
    const adaPatched = await users.patch(adaUser.id, { email: `ada-renamed-${unique}@example.com` })
    results.push(adaPatched)
    assert.equal('password' in adaPatched, false)
    const bobPatched = await bob.app.service('users').patch(bobUser.id, { email: `bob-renamed-${unique}@example.com` })
    results.push(bobPatched)

    assert.deepEqual(await received(ada, 'users patched', (u) => u.id === adaUser.id), adaPatched)
    assert.deepEqual(await received(bob, 'users patched', (u) => u.id === bobUser.id), bobPatched)
    await barrier(anonymous, [anonymous, ada, bob])
    assert.deepEqual(eventsOf(ada, 'users patched', (u) => u.id !== adaUser.id), [])
    assert.deepEqual(eventsOf(bob, 'users patched', (u) => u.id !== bobUser.id), [])
    assert.deepEqual(anonymous.events.filter(([event]) => event.startsWith('users ')), [])
    // Sign-ups were made anonymously: nobody was in those users' channels.
    for (const client of [anonymous, ada, bob]) assert.deepEqual(eventsOf(client, 'users created'), [])
  })

  test('reAuthenticate() with the stored token logs a new client in', async () => {
    // A second client for bob with the same storage: his token is there.
    const again = socketClient('bob again', { storage: bob.storage })
    await connected(again)
    notAuthenticated(await rejection(again.app.service('secrets').find()))
    const result = await again.app.reAuthenticate()
    results.push(result)
    assert.equal(result.accessToken, bobLogin.accessToken)
    assert.equal(result.authentication.strategy, 'jwt')
    assert.equal(result.user.id, bobUser.id)
    assert.equal('password' in result.user, false)
    assert.deepEqual(await again.app.service('secrets').find(), [{ secret: 'ok' }])
    // Both of bob's connections are his: both get his record's events.
    const patched = await bob.app.service('users').patch(bobUser.id, { email: `bob-again-${unique}@example.com` })
    for (const client of [bob, again]) {
      assert.deepEqual(await received(client, 'users patched', (u) => u.email === patched.email), patched)
    }
    await barrier(anonymous, [ada])
    assert.deepEqual(eventsOf(ada, 'users patched', (u) => u.id === bobUser.id), [])
  })

  test('a bad stored token is 401 and the new client stays anonymous', async () => {
    const storage = new MemoryStorage()
    await storage.setItem('feathers-jwt', 'not.a.token')
    const stranger = socketClient('stranger', { storage, transports: ['websocket'] })
    await connected(stranger)
    notAuthenticated(await rejection(stranger.app.reAuthenticate()))
    assert.equal(await storage.getItem('feathers-jwt'), undefined, 'the bad token was kept')
    const message = await stranger.app.service('messages').create({ text: 'a stranger' })
    assert.equal(message.anonymous, true)
  })

  test('a handshake Authorization header logs the socket in before its first call', async () => {
    // As Feathers' socketio transport: the credentials of the handshake
    // are checked before the client is told it is connected.
    const socket = io(chat.url, {
      forceNew: true,
      reconnection: false,
      ackTimeout: WAIT_MS,
      transports: ['websocket'],
      extraHeaders: { Authorization: `Bearer ${bobLogin.accessToken}` }
    })
    const app = feathers()
    app.configure(socketio(socket))
    try {
      await connected({ socket })
      // The first call, sent as soon as the socket is up, is already bob's.
      assert.deepEqual(await app.service('secrets').find(), [{ secret: 'ok' }])
    } finally {
      socket.disconnect()
    }
  })

  test('a bad handshake Authorization header is refused with connect_error', async () => {
    const socket = io(chat.url, {
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
      extraHeaders: { Authorization: 'Bearer not.a.token' }
    })
    try {
      const outcome = await new Promise((resolve) => {
        socket.once('connect', () => resolve('connected'))
        socket.once('connect_error', (error) => resolve(`connect_error: ${error.message}`))
      })
      assert.match(outcome, /^connect_error: /)
    } finally {
      socket.disconnect()
    }
  })

  test('logout() makes the client anonymous again, and messages events still arrive', async () => {
    const result = await ada.app.logout()
    assert.ok(result, "logout() resolved without the server's authentication result")
    assert.equal(typeof result.accessToken, 'string')
    assert.equal(await ada.app.authentication.getAccessToken(), null)
    notAuthenticated(await rejection(ada.app.service('secrets').find()))
    const mine = await ada.app.service('messages').create({ text: 'anonymous again' })
    assert.equal(mine.anonymous, true)
    assert.equal(mine.userId, undefined)
    const theirs = await bob.app.service('messages').create({ text: `after ada left ${unique}` })
    assert.equal((await received(ada, 'messages created', (m) => m.id === theirs.id)).userId, bobUser.id)
    assert.equal(ada.socket.connected, true)
  })

  test('no event and no result ever carries a password', () => {
    for (const client of clients) {
      assert.ok(client.events.length > 0, `${client.name} received nothing`)
      for (const [event, data] of client.events) {
        assert.equal(keysIn(data).has('password'), false, `${client.name}: ${event} ${JSON.stringify(data)}`)
      }
    }
    for (const result of results) {
      assert.equal(keysIn(result).has('password'), false, JSON.stringify(result))
    }
  })
})
