// Drives the Rust `chat` example with the official FeathersJS v5 clients
// (@feathersjs/rest-client over Node's fetch, @feathersjs/authentication-client)
// to prove the server speaks Feathers' REST protocol. Run with `npm test`.

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { feathers } from '@feathersjs/feathers'
import rest from '@feathersjs/rest-client'
import authentication, { MemoryStorage } from '@feathersjs/authentication-client'

import { startChat } from './chat-server.js'

const AUTH_SECRET = 'interop-test-secret-' + process.pid

let chat // the running binary: { url, workDir, logs(), stop() }
let url
// The server runs in a fresh directory: with DATABASE_URL unset it keeps its
// records in ./chat.db there (the binary's default), removed afterwards.
const storage = process.env.DATABASE_URL || 'the default SQLite file (chat.db)'

/** A fresh Feathers client with its own in-memory token storage. */
function client () {
  const app = feathers()
  app.configure(rest(url).fetch(fetch))
  app.configure(authentication({ storage: new MemoryStorage() }))
  return app
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

function assertNotAuthenticated (error, message) {
  assert.equal(error.name, 'NotAuthenticated', `${error.name}: ${error.message}`)
  assert.equal(error.code, 401)
  assert.equal(error.className, 'not-authenticated')
  if (message !== undefined) assert.equal(error.message, message)
}

const unique = `${Date.now()}-${process.pid}`
const email = `interop-${unique}@example.com`
const password = 'correct horse battery staple'

describe(`chat example with the official Feathers v5 client, on ${storage}`, () => {
  before(async () => {
    chat = await startChat('interop', { AUTH_SECRET })
    url = chat.url
  })

  after(async () => {
    if (!chat) return
    const status = await chat.stop()
    const logs = chat.logs()
    assert.notEqual(status, null, `chat did not stop within 5 s of SIGTERM\n${logs}`)
    // The binary handles SIGTERM itself: it finishes the requests in flight,
    // logs "shutting down" and returns Ok from main, so it exits with 0.
    assert.deepEqual(
      { code: status.code, signal: status.signal },
      { code: 0, signal: null },
      `chat did not exit cleanly on SIGTERM\n${logs}`
    )
    assert.match(logs, /shutting down/, 'no "shutting down" log line on SIGTERM')
    // Records went where DATABASE_URL says: the default file, or not there.
    assert.equal(
      existsSync(join(chat.workDir, 'chat.db')),
      !process.env.DATABASE_URL,
      `chat.db in the working directory with DATABASE_URL=${process.env.DATABASE_URL ?? '(unset)'}`
    )
    rmSync(chat.workDir, { recursive: true, force: true })
    // CONTRACT.md: one log line per request with method, path, status and time.
    const plain = logs.replace(/\u001b\[[0-9;]*m/g, '')
    assert.match(
      plain,
      /method=POST uri=\/users[^\n]*latency=\d+ ms status=201/,
      'no request log line with method, path, time and status'
    )
  })

  test('anonymous messages.find() returns a page', async () => {
    const page = await client().service('messages').find()
    assert.deepEqual(Object.keys(page).sort(), ['data', 'limit', 'skip', 'total'])
    assert.equal(page.limit, 10)
    assert.equal(page.skip, 0)
    assert.equal(typeof page.total, 'number')
    assert.ok(Array.isArray(page.data))
  })

  test('anonymous messages.create({ text }) is marked anonymous', async () => {
    const message = await client().service('messages').create({ text: 'hello from nobody' })
    assert.equal(message.text, 'hello from nobody')
    assert.notEqual(message.id, undefined)
    assert.equal(message.anonymous, true)
    assert.equal(message.userId, undefined)
  })

  test('users.create({ email, password }) signs up without returning the password', async () => {
    const user = await client().service('users').create({ email, password })
    assert.equal(user.email, email)
    assert.notEqual(user.id, undefined)
    assert.equal('password' in user, false, `password returned: ${JSON.stringify(user)}`)
  })

  test('secrets.find() before login rejects with NotAuthenticated', async () => {
    const error = await rejection(client().service('secrets').find())
    assertNotAuthenticated(error)
  })

  test('a wrong password rejects with Invalid login', async () => {
    const app = client()
    const wrong = await rejection(app.authenticate({ strategy: 'local', email, password: 'wrong password' }))
    assertNotAuthenticated(wrong, 'Invalid login')
    const unknown = await rejection(
      app.authenticate({ strategy: 'local', email: `nobody-${unique}@example.com`, password })
    )
    assertNotAuthenticated(unknown, 'Invalid login')
    // The failed logins leave the client unauthenticated.
    assertNotAuthenticated(await rejection(app.service('secrets').find()))
  })

  describe('one client: login, messages, secrets, reAuthenticate, logout', () => {
    let app // one client, created once the server's url is known
    let login

    before(() => { app = client() })

    test('authenticate({ strategy: "local" }) logs in', async () => {
      login = await app.authenticate({ strategy: 'local', email, password })
      assert.equal(typeof login.accessToken, 'string')
      assert.equal(login.accessToken.split('.').length, 3, 'accessToken is not a JWT')
      assert.equal(login.authentication.strategy, 'local')
      assert.equal(login.user.email, email)
      assert.notEqual(login.user.id, undefined)
      assert.equal('password' in login.user, false, `password returned: ${JSON.stringify(login.user)}`)
      assert.equal(await app.authentication.getAccessToken(), login.accessToken)
    })

    test('messages.create() after login sets userId', async () => {
      const message = await app.service('messages').create({ text: 'hello from a user' })
      assert.equal(message.text, 'hello from a user')
      assert.equal(message.userId, login.user.id)
      assert.notEqual(message.anonymous, true)
    })

    test('secrets.find() after login returns [{ secret: "ok" }]', async () => {
      assert.deepEqual(await app.service('secrets').find(), [{ secret: 'ok' }])
    })

    test('reAuthenticate(true) returns the same token via jwt', async () => {
      const again = await app.reAuthenticate(true)
      assert.equal(again.accessToken, login.accessToken)
      assert.equal(again.authentication.strategy, 'jwt')
      assert.equal(again.user.id, login.user.id)
      assert.equal('password' in again.user, false)
      assert.deepEqual(await app.service('secrets').find(), [{ secret: 'ok' }])
    })

    test('logout() logs out and secrets.find() is 401 again', async () => {
      const result = await app.logout()
      // The client swallows a failed DELETE /authentication and resolves null,
      // so a result proves the server accepted the logout.
      assert.ok(result, 'logout() resolved without the server\'s authentication result')
      assert.equal(result.accessToken, login.accessToken)
      assert.equal(await app.authentication.getAccessToken(), null)
      assertNotAuthenticated(await rejection(app.service('secrets').find()))
      const message = await app.service('messages').create({ text: 'anonymous again' })
      assert.equal(message.anonymous, true)
      assert.equal(message.userId, undefined)
    })
  })

  test('messages.create({ text: "" }) rejects with BadRequest', async () => {
    const error = await rejection(client().service('messages').create({ text: '' }))
    assert.equal(error.name, 'BadRequest', `${error.name}: ${error.message}`)
    assert.equal(error.code, 400)
    assert.equal(error.className, 'bad-request')
  })

  test('query syntax: $limit and $sort through the client', async () => {
    const messages = client().service('messages')
    const created = []
    for (const text of ['first', 'second', 'third']) {
      created.push(await messages.create({ text: `${text} ${unique}` }))
    }
    const newest = await messages.find({ query: { $limit: 1, $sort: { id: -1 } } })
    assert.equal(newest.limit, 1)
    assert.equal(newest.data.length, 1)
    assert.ok(newest.total >= 3)
    assert.equal(newest.data[0].id, created[2].id)

    const oldestFirst = await messages.find({ query: { $limit: 2, $skip: 1, $sort: { id: 1 } } })
    assert.equal(oldestFirst.skip, 1)
    assert.equal(oldestFirst.data.length, 2)
    assert.ok(oldestFirst.data[0].id < oldestFirst.data[1].id)

    const byText = await messages.find({ query: { text: `second ${unique}` } })
    assert.deepEqual(byText.data.map((m) => m.id), [created[1].id])

    const some = await messages.find({ query: { id: { $in: [created[0].id, created[2].id] }, $sort: { id: 1 } } })
    assert.deepEqual(some.data.map((m) => m.id), [created[0].id, created[2].id])
  })
})
