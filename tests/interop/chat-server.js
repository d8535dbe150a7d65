// Starts the Rust `chat` example binary for a test file: a free port, a
// fresh working directory, the test's environment (DATABASE_URL chooses the
// storage), and a clean stop with SIGTERM.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const here = dirname(fileURLToPath(import.meta.url))
export const CHAT_BIN = process.env.CHAT_BIN
  ? resolve(process.env.CHAT_BIN)
  : resolve(here, '../../target/debug/examples/chat')
export const HOST = '127.0.0.1'
const START_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000

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

/**
 * Starts the chat binary and waits until `GET /messages` answers.
 * Resolves with `{ url, workDir, logs(), stop() }`; `stop()` sends SIGTERM
 * and resolves with `{ code, signal }`, or `null` when the process had to
 * be killed after STOP_TIMEOUT_MS. The working directory (where the default
 * `chat.db` goes) is the caller's to remove.
 */
export async function startChat (name, env = {}) {
  if (!existsSync(CHAT_BIN)) {
    throw new Error(
      `chat binary not found at ${CHAT_BIN}: run \`cargo build --example chat\` ` +
        'in the workspace root first (or set CHAT_BIN to the binary).'
    )
  }
  const workDir = mkdtempSync(join(tmpdir(), `chat-${name}-`))
  const port = await freePort()
  const url = `http://${HOST}:${port}`
  let logs = '' // its stdout and stderr, shown when something goes wrong
  const server = spawn(CHAT_BIN, [], {
    cwd: workDir,
    env: { ...process.env, HOST, PORT: String(port), RUST_LOG: process.env.RUST_LOG || 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  server.stdout.setEncoding('utf8').on('data', (chunk) => { logs += chunk })
  server.stderr.setEncoding('utf8').on('data', (chunk) => { logs += chunk })
  const exit = new Promise((resolveExit) => {
    server.on('exit', (code, signal) => resolveExit({ code, signal }))
    server.on('error', (error) => resolveExit({ code: null, signal: null, error }))
  })
  let exited = null
  exit.then((status) => { exited = status })

  const stop = async () => {
    if (exited) return exited
    server.kill('SIGTERM')
    const status = await Promise.race([
      exit,
      sleep(STOP_TIMEOUT_MS, null, { ref: false }) // must not keep the runner alive
    ])
    if (status === null) {
      server.kill('SIGKILL')
      await exit
    }
    return status
  }

  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (exited) {
      rmSync(workDir, { recursive: true, force: true })
      throw new Error(`chat exited before answering: ${JSON.stringify(exited)}\n${logs}`)
    }
    try {
      const response = await fetch(`${url}/messages`, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      if (response.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      rmSync(workDir, { recursive: true, force: true })
      throw new Error(`chat did not answer GET /messages within ${START_TIMEOUT_MS} ms\n${logs}`)
    }
    await sleep(100)
  }
  return { url, workDir, logs: () => logs, stop }
}
