// The chat page: the official Feathers client (@feathersjs/client) over
// Socket.IO, as feathers-chat's. No framework and no build step: the two
// browser builds are loaded before this file and expose `io` and `feathers`.
/* global io, feathers */
'use strict'

// Same origin, path /socket.io/: polling first, then an upgrade to WebSocket.
const socket = io()
const client = feathers()
client.configure(feathers.socketio(socket))
// The token survives a reload in localStorage; reAuthenticate() reads it.
client.configure(feathers.authentication({ storage: window.localStorage }))

const messages = client.service('messages')
const byId = (id) => document.getElementById(id)

/** The messages on screen, by id: events and finds may bring the same one twice. */
const shown = new Map()
/** How many messages the page keeps. */
const KEEP = 50
/** The logged-in user, or null when anonymous. */
let me = null

function showError (error) {
  byId('error').textContent = error ? error.message : ''
  byId('error').hidden = !error
}

function author (message) {
  if (message.anonymous) return 'anonymous'
  if (me && message.userId === me.id) return `${me.email} (you)`
  return `user ${message.userId}`
}

/** Draws the kept messages, oldest first. Text only: never HTML from the server. */
function render () {
  const ids = [...shown.keys()].sort((a, b) => a - b)
  for (const id of ids.slice(0, Math.max(0, ids.length - KEEP))) shown.delete(id)
  const items = [...shown.values()]
    .sort((a, b) => a.id - b.id)
    .map((message) => {
      const item = document.createElement('li')
      item.dataset.id = message.id
      const who = document.createElement('span')
      who.className = 'author'
      who.textContent = author(message)
      const text = document.createElement('span')
      text.className = 'text'
      text.textContent = message.text
      item.append(who, text)
      return item
    })
  const list = byId('messages')
  list.replaceChildren(...items)
  list.scrollTop = list.scrollHeight
}

function keep (message) {
  shown.set(message.id, message)
  render()
}

function showSession (user) {
  me = user
  byId('status').textContent = user ? `Logged in as ${user.email}` : 'Reading and writing anonymously'
  byId('account').hidden = Boolean(user)
  byId('logout').hidden = !user
  render()
}

/** The last messages, newest first from the server, drawn oldest first. */
async function loadMessages () {
  const page = await messages.find({ query: { $sort: { id: -1 }, $limit: 25 } })
  page.data.forEach((message) => shown.set(message.id, message))
  render()
}

// Everyone's messages, live: the app publishes `messages` events to every connection.
messages.on('created', keep)
messages.on('patched', keep)
messages.on('updated', keep)
messages.on('removed', (message) => {
  shown.delete(message.id)
  render()
})

// On every (re)connection: what was posted while the socket was away. The
// page is "live" once that first answer is in: the server has the
// connection in its channels by then, so every new message will arrive.
socket.on('connect', () => {
  showError(null)
  loadMessages()
    .then(() => { document.body.dataset.state = 'live' })
    .catch(showError)
})
socket.on('disconnect', () => {
  document.body.dataset.state = 'offline'
  showError({ message: 'Connection lost, reconnecting…' })
})

byId('account').addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = event.target
  const credentials = { email: form.email.value, password: form.password.value }
  try {
    if (event.submitter && event.submitter.value === 'signup') {
      await client.service('users').create(credentials)
    }
    const { user } = await client.authenticate({ strategy: 'local', ...credentials })
    form.reset()
    showError(null)
    showSession(user)
  } catch (error) {
    showError(error)
  }
})

byId('logout').addEventListener('click', async () => {
  try {
    await client.logout()
    showError(null)
  } catch (error) {
    showError(error)
  }
  showSession(null)
})

byId('compose').addEventListener('submit', async (event) => {
  event.preventDefault()
  const input = event.target.text
  try {
    keep(await messages.create({ text: input.value }))
    input.value = ''
    showError(null)
  } catch (error) {
    showError(error)
  }
})

// A token from an earlier visit logs this one in; without one, anonymous.
client.reAuthenticate()
  .then(({ user }) => showSession(user))
  .catch(() => showSession(null))
