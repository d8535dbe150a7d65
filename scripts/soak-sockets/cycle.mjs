// The cycling sockets of scripts/soak.sh: SOCKETS workers, each in a loop
// for SECONDS, with the official Feathers v5 socket client. One cycle:
// connect (WebSocket, or one worker in five with long-polling upgraded to
// WebSocket), stay anonymous or log in (by turns: the local strategy as the
// worker's own user, or the jwt strategy with a shared user's seeded
// token), call
// find, get and a get of an unknown id, write a message over REST and wait
// for its `messages created` and `messages removed` events on the socket,
// and when logged in create and remove one over the socket and wait for
// those events too; then log out (now and then, local logins only) and
// disconnect.
//
// A logout revokes every token of its user (the chat app's token epoch),
// so only a worker's own user logs out: the shared users' tokens (the
// jwt logins, the REST writes, the wrk load) stay valid. The server lets
// one client address have only a few password checks waiting (8, then
// 429), and every client here is 127.0.0.1: at most maxLogins local
// logins run at once, the others wait their turn here.
//
// Every answer is checked; what a cycle saw is counted, and the counts are
// printed at the end as one JSON line on stdout (the soak judges them).
// Messages written here are removed again (by their author), so the store
// keeps its size and the server's memory can be watched.
//
// Usage: node cycle.mjs CONFIG_FILE, CONFIG_FILE holding the JSON
//   { url, seconds, sockets, waitMs, password, maxLogins,
//     users: [{ id, email, token }],        shared, never logged out
//     socketUsers: [{ id, email }],          one per worker, same password
//     seeded: [{ id, text }] }

import { feathers } from '@feathersjs/feathers'
import socketio from '@feathersjs/socketio-client'
import authentication, { MemoryStorage } from '@feathersjs/authentication-client'
import { readFileSync } from 'node:fs'
import { io } from 'socket.io-client'

if (!process.argv[2]) {
  console.error('usage: node cycle.mjs CONFIG_FILE')
  process.exit(2)
}
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const { url, seconds, sockets, waitMs, password, maxLogins, users, socketUsers, seeded } = config
const deadline = Date.now() + seconds * 1000
const MODES = ['anonymous', 'local', 'jwt']
const MAX_REPORTED = 20 // unexpected answers written to stderr, at most

const counts = {
  cycles: 0,
  connects: 0,
  connectErrors: 0,
  upgraded: 0, // long-polling connections that reached WebSocket
  logins: { local: 0, jwt: 0 },
  logouts: 0,
  calls: 0, // socket calls and REST requests made
  ok: 0, // answered as expected with a result
  expectedErrors: 0, // answered with the error the call must get
  unexpected: 0, // any other answer, or none in time
  eventsReceived: 0, // every event of every socket
  eventsFromHttpWriters: 0, // `messages created` of the wrk writers
  eventsAwaited: 0, // events a cycle waited for (its own writes)
  eventsMissed: 0, // of those, not received within waitMs
  unexpectedDisconnects: 0, // the server closed a socket mid-cycle
  strayRejections: 0, // promises rejected with nobody waiting (see below)
  byCall: {} // call -> { ok, expectedErrors, unexpected }
}

function tally (call, outcome) {
  counts[outcome] += 1
  const entry = (counts.byCall[call] ??= { ok: 0, expectedErrors: 0, unexpected: 0 })
  entry[outcome] += 1
}

function unexpected (call, detail) {
  tally(call, 'unexpected')
  if (counts.unexpected <= MAX_REPORTED) console.error(`unexpected ${call}: ${detail}`)
}

const show = (value) => {
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** Runs a call; `check(result)` returns a complaint or nothing. */
async function call (name, run, check) {
  counts.calls += 1
  let result
  try {
    result = await run()
  } catch (error) {
    unexpected(name, `rejected: ${error.name} ${error.code}: ${error.message}`)
    return undefined
  }
  const complaint = check(result)
  if (complaint) {
    unexpected(name, `${complaint}: ${show(result)}`)
    return undefined
  }
  tally(name, 'ok')
  return result
}

/** Runs a call that must fail with the Feathers error `errorName` (`code`). */
async function failingCall (name, run, errorName, code) {
  counts.calls += 1
  try {
    const result = await run()
    unexpected(name, `resolved instead of ${errorName}: ${show(result)}`)
  } catch (error) {
    if (error.name === errorName && error.code === code) tally(name, 'expectedErrors')
    else unexpected(name, `${error.name} ${error.code} instead of ${errorName} ${code}: ${error.message}`)
  }
}

/** A REST request with a seeded user's token; resolves with [status, body]. */
async function rest (method, path, token, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(waitMs)
  })
  return [response.status, await response.json()]
}

const hasPassword = (value) =>
  value !== null && typeof value === 'object' &&
  (Object.hasOwn(value, 'password') || Object.values(value).some(hasPassword))

/**
 * The events one connection received, by `<event> <id>`, and waiting for
 * one: an event may arrive before the answer of the call that caused it.
 */
class Events {
  constructor (socket) {
    this.seen = new Map() // "created 12" -> data
    this.waiting = new Map() // "created 12" -> resolve
    for (const event of ['created', 'removed']) {
      socket.on(`messages ${event}`, (data) => this.received(event, data))
    }
    socket.on('messages patched', () => { counts.eventsReceived += 1 })
  }

  received (event, data) {
    counts.eventsReceived += 1
    if (!data || typeof data.id !== 'number' || typeof data.text !== 'string' || hasPassword(data)) {
      unexpected(`event messages ${event}`, show(data))
      return
    }
    if (event === 'created' && data.text.startsWith('soak message ')) {
      counts.eventsFromHttpWriters += 1
      return // not awaited: not kept
    }
    const key = `${event} ${data.id}`
    this.seen.set(key, data)
    this.waiting.get(key)?.(data)
  }

  /** The data of `messages <event>` for `id`, or undefined after waitMs. */
  async expect (event, id) {
    counts.eventsAwaited += 1
    const key = `${event} ${id}`
    const data = this.seen.get(key) ?? await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs)
      this.waiting.set(key, (found) => { clearTimeout(timer); resolve(found) })
    })
    this.waiting.delete(key)
    if (data === undefined) {
      counts.eventsMissed += 1
      if (counts.eventsMissed <= MAX_REPORTED) console.error(`missed: messages ${event} ${id}`)
    }
    return data
  }
}

function connect (socket) {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(true))
    socket.once('connect_error', (error) => {
      if (counts.connectErrors < MAX_REPORTED) console.error(`connect_error: ${error.message}`)
      resolve(false)
    })
  })
}

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b)

/** At most `maxLogins` local logins at once (see the top of the file). */
const loginTurns = { running: 0, waiting: [] }
async function withLoginTurn (run) {
  if (loginTurns.running >= maxLogins) await new Promise((resolve) => loginTurns.waiting.push(resolve))
  else loginTurns.running += 1
  try {
    return await run()
  } finally {
    const next = loginTurns.waiting.shift()
    if (next) next() // the turn passes on; `running` stays
    else loginTurns.running -= 1
  }
}

async function cycle (worker, round) {
  const mode = MODES[(worker + round) % MODES.length]
  const shared = users[(worker + round) % users.length]
  const user = mode === 'local' ? socketUsers[worker] : shared
  const polling = worker % 5 === 0
  const socket = io(url, {
    forceNew: true,
    reconnection: false,
    ackTimeout: waitMs,
    timeout: waitMs,
    ...(polling ? {} : { transports: ['websocket'] })
  })
  const app = feathers()
  app.configure(socketio(socket))
  app.configure(authentication({ storage: new MemoryStorage() }))
  const events = new Events(socket)
  let leaving = false
  socket.on('disconnect', (reason) => {
    if (!leaving) {
      counts.unexpectedDisconnects += 1
      console.error(`worker ${worker}: disconnected by the server (${reason})`)
    }
  })
  counts.cycles += 1
  try {
    if (!(await connect(socket))) {
      counts.connectErrors += 1
      return
    }
    counts.connects += 1
    if (polling) {
      const engine = socket.io.engine
      if (engine.transport.name !== 'websocket') {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, waitMs)
          engine.once('upgrade', () => { clearTimeout(timer); resolve() })
        })
      }
      if (engine.transport.name === 'websocket') counts.upgraded += 1
      else unexpected('upgrade', `still on ${engine.transport.name} after ${waitMs} ms`)
    }

    const messages = app.service('messages')
    const secrets = app.service('secrets')
    let loggedIn = false
    if (mode === 'local' || mode === 'jwt') {
      const credentials = mode === 'local'
        ? { strategy: 'local', email: user.email, password }
        : { strategy: 'jwt', accessToken: user.token }
      const authenticate = () => app.authenticate(credentials)
      const run = mode === 'local' ? () => withLoginTurn(authenticate) : authenticate
      const login = await call(`login ${mode}`, run, (result) => {
        if (typeof result?.accessToken !== 'string' || result.accessToken.split('.').length !== 3) return 'no JWT'
        if (result.authentication?.strategy !== mode) return 'wrong strategy'
        if (result.user?.id !== user.id) return 'wrong user'
        if (hasPassword(result)) return 'a password in the result'
      })
      if (login) {
        counts.logins[mode] += 1
        loggedIn = true
        await call('secrets find', () => secrets.find(), (result) =>
          sameJson(result, [{ secret: 'ok' }]) ? undefined : 'not the secret')
      }
    } else {
      await failingCall('secrets find anonymous', () => secrets.find(), 'NotAuthenticated', 401)
    }

    await call('messages find', () => messages.find({ query: { $limit: 5 } }), (page) => {
      if (!sameJson(Object.keys(page ?? {}).sort(), ['data', 'limit', 'skip', 'total'])) return 'not a page'
      if (page.limit !== 5 || !Array.isArray(page.data) || page.data.length > 5) return 'wrong limit'
      if (page.total < seeded.length) return 'fewer records than seeded'
    })
    const known = seeded[(worker * 7 + round) % seeded.length]
    await call('messages get', () => messages.get(known.id), (message) =>
      message?.id === known.id && message.text === known.text ? undefined : `not seeded message ${known.id}`)
    await failingCall('messages get unknown', () => messages.get(9_000_000_000 + round), 'NotFound', 404)

    // A write over REST reaches this socket, its removal too.
    const text = `soak rest ${worker}-${round}`
    const written = await call('rest create', () => rest('POST', '/messages', shared.token, { text }), ([status, body]) =>
      status === 201 && body.text === text && body.userId === shared.id ? undefined : `status ${status}`)
    if (written) {
      const [, message] = written
      const event = await events.expect('created', message.id)
      if (event && !sameJson(event, message)) unexpected('event messages created', `${show(event)} is not ${show(message)}`)
      const removed = await call('rest remove', () => rest('DELETE', `/messages/${message.id}`, shared.token), ([status, body]) =>
        status === 200 && body.id === message.id ? undefined : `status ${status}`)
      if (removed) await events.expect('removed', message.id)
    }

    // A logged-in socket writes, and removes what it wrote.
    if (loggedIn) {
      const ownText = `soak socket ${worker}-${round}`
      const mine = await call('messages create', () => messages.create({ text: ownText }), (message) =>
        message?.text === ownText && message.userId === user.id && message.anonymous !== true ? undefined : 'not my message')
      if (mine) {
        const event = await events.expect('created', mine.id)
        if (event && !sameJson(event, mine)) unexpected('event messages created', `${show(event)} is not ${show(mine)}`)
        const gone = await call('messages remove', () => messages.remove(mine.id), (message) =>
          message?.id === mine.id ? undefined : 'not my message')
        if (gone) await events.expect('removed', mine.id)
      }
      if (mode === 'local' && round % 4 < 2) {
        const out = await call('logout', () => app.logout(), (result) =>
          typeof result?.accessToken === 'string' ? undefined : 'no authentication result')
        if (out) counts.logouts += 1
      }
    }
  } finally {
    leaving = true
    // A logged-in client re-authenticates when its socket disconnects:
    // forgetting the login first keeps it from trying.
    await app.authentication.reset()
    socket.disconnect()
  }
}

async function worker (index) {
  for (let round = 0; Date.now() < deadline; round++) {
    try {
      await cycle(index, round)
    } catch (error) {
      unexpected('cycle', `${error.name}: ${error.message}`)
    }
  }
}

// When the server drops a logged-in socket, the authentication client
// calls reAuthenticate() on its own, unawaited; without reconnection it
// times out, and Node would end the whole process on that rejection. It
// is counted (the drop itself is already an unexpected disconnect).
process.on('unhandledRejection', (error) => {
  counts.strayRejections += 1
  if (counts.strayRejections <= MAX_REPORTED) console.error(`stray rejection: ${error?.name}: ${error?.message}`)
})

await Promise.all(Array.from({ length: sockets }, (_, index) => worker(index)))
process.stdout.write(JSON.stringify(counts) + '\n')
