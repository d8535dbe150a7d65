// A body over the chat app's 1 MiB limit, sent with Node's own `fetch`
// (undici), gets the server's `413` in Feathers' JSON rather than a
// network error: the server reads and discards the rest of the body after
// answering, instead of closing while the client is still writing (which
// resets the connection). CONTRACT.md, "Wire protocol (REST)".
// Run with `npm test` (or `node --test bodies.test.js`).

import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'

import { startChat } from './chat-server.js'

const TRIES = 20
const TWO_MIB = 2 * 1024 * 1024

let chat // the running binary: { url, workDir, logs(), stop() }

/** `{"text":"aaa..."}` of exactly `size` bytes. */
function messageOf (size) {
  return JSON.stringify({ text: 'a'.repeat(size - '{"text":""}'.length) })
}

/** One POST of `body`; the status and JSON answer, or the network error. */
async function post (body, init = {}) {
  try {
    const response = await fetch(`${chat.url}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(30_000),
      ...init
    })
    return { status: response.status, json: await response.json() }
  } catch (error) {
    return { error: `${error.name}: ${error.message} (${error.cause?.code ?? error.cause ?? ''})` }
  }
}

/** Asserts that every one of `results` is Feathers' 413. */
function allTooLarge (results) {
  const failures = results
    .map((result, index) => ({ index, ...result }))
    .filter((result) => result.status !== 413)
  assert.deepEqual(
    failures,
    [],
    `${failures.length} of ${results.length} tries got no 413\n${chat.logs().slice(-2000)}`
  )
  for (const { json } of results) {
    assert.equal(json.code, 413)
    assert.equal(json.name, 'PayloadTooLarge')
  }
}

describe('a body over the limit, sent with fetch', () => {
  before(async () => {
    chat = await startChat('bodies', { DATABASE_URL: 'memory://' })
  })

  after(async () => {
    await chat?.stop()
    if (chat) rmSync(chat.workDir, { recursive: true, force: true })
  })

  test(`2 MiB with a Content-Length: ${TRIES} of ${TRIES} tries read the 413`, async () => {
    const body = messageOf(TWO_MIB)
    const results = []
    for (let i = 0; i < TRIES; i++) results.push(await post(body))
    allTooLarge(results)
  })

  test(`2 MiB streamed (chunked): ${TRIES} of ${TRIES} tries read the 413`, async () => {
    const body = Buffer.from(messageOf(TWO_MIB))
    const results = []
    for (let i = 0; i < TRIES; i++) {
      const stream = new ReadableStream({
        start (controller) {
          for (let at = 0; at < body.length; at += 64 * 1024) {
            controller.enqueue(body.subarray(at, at + 64 * 1024))
          }
          controller.close()
        }
      })
      results.push(await post(stream, { duplex: 'half' }))
    }
    allTooLarge(results)
  })

  test('a body within the limit is still created', async () => {
    const result = await post(messageOf(1024))
    assert.equal(result.status, 201, JSON.stringify(result))
  })
})
