#!/usr/bin/env node
// Password guessing against the chat app (issue 15, point 7), two figures:
//
//  1. guesses: wrong-password logins per second that one client gets
//     answered with a verdict (401, one hash each) or refused (429), with
//     10 connections guessing bob@example.com's password for 5 s;
//  2. flood: a real login's latency (from another client address,
//     127.0.0.2) while 100 connections from 127.0.0.1 guess other accounts
//     (each its own unknown email, so that the per-email limit does not
//     lock ada out): ada logs in 2 times alone, then 3 times 1.5 s apart
//     during the flood (5 logins: within the chat's per-email burst).
//
// Usage: node scripts/login-abuse.mjs <chat binary> [more env, e.g. LOGIN_LIMITS=off]
// The binary is started on a free port with DATABASE_URL=memory://.
// Node 20, no dependencies.
import { spawn } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'

const [bin, ...extraEnv] = process.argv.slice(2)
if (!bin) {
  console.error('usage: node scripts/login-abuse.mjs <chat binary> [NAME=value ...]')
  process.exit(2)
}

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const port = await freePort()
const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'memory://', AUTH_SECRET: 'login-abuse', RUST_LOG: 'warn' }
for (const pair of extraEnv) {
  const at = pair.indexOf('=')
  env[pair.slice(0, at)] = pair.slice(at + 1)
}
const child = spawn(bin, [], { env, stdio: ['ignore', 'ignore', 'inherit'] })

const agents = new Map()
const agentFor = (localAddress) => {
  if (!agents.has(localAddress)) agents.set(localAddress, new http.Agent({ keepAlive: true, maxSockets: 1000, localAddress }))
  return agents.get(localAddress)
}

/** One JSON request; its status. */
function request (method, path, body, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: agentFor(localAddress),
      headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {}
    }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    if (data) req.write(data)
    req.end()
  })
}

const login = (email, password, from) =>
  request('POST', '/authentication', { strategy: 'local', email, password }, from)

// Wait for the server.
for (let i = 0; ; i++) {
  try {
    await request('GET', '/messages')
    break
  } catch (error) {
    if (i > 300) throw error
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
for (const email of ['ada@example.com', 'bob@example.com']) {
  const signup = await request('POST', '/users', { email, password: 's3cret-Pa55' }, '127.0.0.3')
  if (signup !== 201) throw new Error(`sign-up: ${signup}`)
}

// 1. Guesses per second from one client.
{
  const counts = {}
  const until = Date.now() + 5000
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (Date.now() < until) {
      const status = await login('bob@example.com', 'a guess', '127.0.0.1')
      counts[status] = (counts[status] || 0) + 1
    }
  }))
  const perSecond = Object.fromEntries(Object.entries(counts).map(([status, n]) => [status, Math.round(n / 5)]))
  console.log(`guesses from one client (10 connections, 5 s), answers per second by status: ${JSON.stringify(perSecond)}`)
}

// Let a per-client and per-email quota refill between the two figures.
await new Promise((resolve) => setTimeout(resolve, 1000))

// 2. A real login's latency under a flood from another address.
{
  const quiet = []
  for (let i = 0; i < 2; i++) {
    const started = performance.now()
    const status = await login('ada@example.com', 's3cret-Pa55', '127.0.0.2')
    quiet.push([Math.round(performance.now() - started), status])
  }
  let stop = false
  const flood = {}
  const guessers = Array.from({ length: 100 }, async (_, n) => {
    while (!stop) {
      const status = await login(`nobody${n}@example.com`, 'a guess', '127.0.0.1').catch(() => 'error')
      flood[status] = (flood[status] || 0) + 1
    }
  })
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const loud = []
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    const status = await login('ada@example.com', 's3cret-Pa55', '127.0.0.2')
    loud.push([Math.round(performance.now() - started), status])
    await new Promise((resolve) => setTimeout(resolve, 1500))
  }
  stop = true
  await Promise.all(guessers)
  const median = (list) => list.map(([ms]) => ms).sort((a, b) => a - b)[Math.floor(list.length / 2)]
  console.log(`real login alone: median ${median(quiet)} ms ${JSON.stringify(quiet)}`)
  console.log(`real login during 100 guessing connections: median ${median(loud)} ms, max ${Math.max(...loud.map(([ms]) => ms))} ms ${JSON.stringify(loud)}`)
  console.log(`the flood's answers by status: ${JSON.stringify(flood)}`)
}

child.kill('SIGTERM')
for (const agent of agents.values()) agent.destroy()
