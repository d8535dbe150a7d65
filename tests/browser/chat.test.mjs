// The chat example's page in a real browser: headless Chromium from the
// distribution's packages (/usr/bin/chromium), driven by playwright-core.
// Two pages, each in its own browser context (its own localStorage): the
// first signs up, logs in and posts, the second (anonymous) shows the
// message without a reload, and the other way round. Run with `npm test`
// after `cargo build --example chat` and `npm ci` in examples/chat-web.
//
// CHAT_SCREENSHOT=path also saves a screenshot of the first page there
// (the README's is docs/chat-page.png).

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const CHAT_BIN = process.env.CHAT_BIN
  ? resolve(process.env.CHAT_BIN)
  : resolve(here, '../../target/debug/examples/chat')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const HOST = '127.0.0.1'
const START_TIMEOUT_MS = 10_000
// How long a page may take to show what it should (a live message, a login).
const UI_TIMEOUT_MS = 10_000

let server
let serverExit
let logs = ''
let url
let browser
const workDir = mkdtempSync(join(tmpdir(), 'chat-browser-'))
const pageErrors = []

/** A port that was free a moment ago: bind port 0, read it, close. */
function freePort () {
  return new Promise((resolvePort, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, HOST, () => {
      const { port } = probe.address()
      probe.close(() => resolvePort(port))
    })
  })
}

async function startChat () {
  if (!existsSync(CHAT_BIN)) {
    throw new Error(`chat binary not found at ${CHAT_BIN}: run \`cargo build --example chat\` first`)
  }
  const port = await freePort()
  url = `http://${HOST}:${port}`
  server = spawn(CHAT_BIN, [], {
    cwd: workDir,
    env: {
      ...process.env,
      HOST,
      PORT: String(port),
      AUTH_SECRET: randomBytes(32).toString('hex'),
      DATABASE_URL: 'memory://',
      RUST_LOG: 'info'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  server.stdout.setEncoding('utf8').on('data', (chunk) => { logs += chunk })
  server.stderr.setEncoding('utf8').on('data', (chunk) => { logs += chunk })
  serverExit = new Promise((resolveExit) => {
    server.on('exit', (code, signal) => resolveExit({ code, signal }))
    server.on('error', (error) => resolveExit({ code: null, signal: null, error }))
  })
  let exited = null
  serverExit.then((status) => { exited = status })
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (exited) throw new Error(`chat exited before answering: ${JSON.stringify(exited)}\n${logs}`)
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) })
      const body = await response.text()
      if (response.status === 503) {
        throw new Error(`the chat page is not installed: ${body}`)
      }
      if (response.ok) return
    } catch (error) {
      if (error.message.startsWith('the chat page')) throw error
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`chat did not answer GET / in ${START_TIMEOUT_MS} ms\n${logs}`)
    await sleep(100)
  }
}

/** A page in a context of its own (its own localStorage), at `/`, live. */
async function openPage (name) {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } })
  const page = await context.newPage()
  page.setDefaultTimeout(UI_TIMEOUT_MS)
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${name} console: ${message.text()}`)
  })
  const response = await page.goto(`${url}/`)
  assert.equal(response.status(), 200)
  // Connected, and the last messages loaded over the socket.
  await page.locator('body[data-state="live"]').waitFor()
  return page
}

async function status (page) {
  return (await page.locator('#status').textContent()).trim()
}

/** Waits until `page` lists a message with `text`; its author line. */
async function messageShown (page, text) {
  const item = page.locator('#messages li', { hasText: text })
  await item.waitFor()
  return (await item.locator('.author').textContent()).trim()
}

async function post (page, text) {
  await page.locator('#compose input[name="text"]').fill(text)
  await page.locator('#compose button[type="submit"]').click()
}

// The server is fresh and in memory: plain names and texts, as a person
// would type them (they show in the README's screenshot).
const email = 'ada@example.com'
const password = 'correct horse battery staple'
const adaSays = 'Hello from Ada, logged in'
const nobodySays = 'Hi Ada! Anonymous here, no account needed'

describe('the chat page in headless Chromium', () => {
  let first // signs up, logs in, posts
  let second // anonymous throughout

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`)
    }
    await startChat()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // playwright-core starts it with a fresh temporary profile (user-data dir).
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    })
  })

  after(async () => {
    await browser?.close()
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM')
      await Promise.race([serverExit, sleep(5000, null, { ref: false })])
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    }
    rmSync(workDir, { recursive: true, force: true })
  })

  test('both pages open anonymous and live', async () => {
    first = await openPage('first')
    second = await openPage('second')
    for (const page of [first, second]) {
      assert.equal(await status(page), 'Reading and writing anonymously')
      assert.equal(await page.locator('#account').isVisible(), true)
      assert.equal(await page.locator('#logout').isVisible(), false)
    }
    // Marks the second page's document: a reload would lose it.
    await second.evaluate(() => { window.notReloaded = true })
  })

  test('the first page signs up and is logged in', async () => {
    await first.locator('#account input[name="email"]').fill(email)
    await first.locator('#account input[name="password"]').fill(password)
    await first.locator('#account button[value="signup"]').click()
    await first.locator('#status', { hasText: `Logged in as ${email}` }).waitFor()
    assert.equal(await first.locator('#account').isVisible(), false)
    assert.equal(await first.locator('#logout').isVisible(), true)
    assert.equal(await first.locator('#error').isVisible(), false)
    // The token is kept in localStorage, for the next visit.
    const token = await first.evaluate(() => window.localStorage.getItem('feathers-jwt'))
    assert.equal(token?.split('.').length, 3, `no JWT in localStorage: ${token}`)
  })

  test("the first page's message appears on the second without a reload", async () => {
    const text = adaSays
    await post(first, text)
    assert.equal(await messageShown(first, text), `${email} (you)`)
    assert.match(await messageShown(second, text), /^user \d+$/)
    assert.equal(await second.evaluate(() => window.notReloaded), true, 'the second page was reloaded')
    assert.equal(await first.locator('#compose input[name="text"]').inputValue(), '')
  })

  test("the second (anonymous) page's message appears on the first", async () => {
    const text = nobodySays
    await post(second, text)
    assert.equal(await messageShown(second, text), 'anonymous')
    assert.equal(await messageShown(first, text), 'anonymous')
  })

  test('a reload of the first page keeps the login and shows the last messages', async () => {
    await first.reload()
    await first.locator('body[data-state="live"]').waitFor()
    await first.locator('#status', { hasText: `Logged in as ${email}` }).waitFor()
    assert.equal(await messageShown(first, adaSays), `${email} (you)`)
    assert.equal(await messageShown(first, nobodySays), 'anonymous')
    if (process.env.CHAT_SCREENSHOT) {
      await first.locator('#compose input[name="text"]').fill('Typing a reply…')
      await first.screenshot({ path: resolve(process.env.CHAT_SCREENSHOT) })
      await first.locator('#compose input[name="text"]').fill('')
    }
  })

  test('an empty message is refused with the error on the page', async () => {
    // The input's `required` would stop the browser; the server is the one to ask.
    await second.evaluate(() => { document.querySelector('#compose input').required = false })
    await post(second, '   ')
    await second.locator('#error', { hasText: 'A message needs text' }).waitFor()
  })

  test('after logout the first page is anonymous and still live', async () => {
    await first.locator('#logout').click()
    await first.locator('#status', { hasText: 'Reading and writing anonymously' }).waitFor()
    assert.equal(await first.locator('#account').isVisible(), true)
    assert.equal(await first.evaluate(() => window.localStorage.getItem('feathers-jwt')), null)
    const text = 'Still live after the logout'
    await post(second, text)
    assert.equal(await messageShown(first, text), 'anonymous')
  })

  test('a wrong password shows Invalid login', async () => {
    await first.locator('#account input[name="email"]').fill(email)
    await first.locator('#account input[name="password"]').fill('wrong password')
    await first.locator('#account button[value="login"]').click()
    await first.locator('#error', { hasText: 'Invalid login' }).waitFor()
    assert.equal(await status(first), 'Reading and writing anonymously')
  })

  test('no script error on either page', () => {
    // The refused empty message and the bad login are answers, not errors;
    // Chromium logs nothing else for a healthy page.
    assert.deepEqual(pageErrors, [])
  })
})
