// The FeathersJS v5 reference of the real-time benchmark: what the chat
// example does for anonymous connections, written the Feathers way.
// A `messages` memory service (paginate default 10, max 50) over REST and
// Socket.IO on one port; every connection joins the `anonymous` channel and
// `messages` events go to `anonymous` and `authenticated`, as the chat
// app's channels do (CONTRACT.md, "Channels of the chat app").
//
//   HOST=127.0.0.1 PORT=3141 node app.mjs
import { feathers } from '@feathersjs/feathers'
import { koa, rest, bodyParser, errorHandler } from '@feathersjs/koa'
import socketio from '@feathersjs/socketio'
import { MemoryService } from '@feathersjs/memory'
import { BadRequest } from '@feathersjs/errors'

const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 3030)

const app = koa(feathers())
app.use(errorHandler())
app.use(bodyParser())
app.configure(rest())
app.configure(socketio())

app.use('messages', new MemoryService({ paginate: { default: 10, max: 50 } }))

// The chat app's own create hook: the text trimmed and never empty, and an
// anonymous caller's message marked as such (there is no login here, so
// every caller is anonymous). Kept so both servers do the same work per
// create, not only the same publishing.
const prepareMessage = async (context) => {
  const text = typeof context.data?.text === 'string' ? context.data.text.trim() : ''
  if (text === '') {
    throw new BadRequest('A message needs text', { text: 'must be a non-empty string' })
  }
  context.data = { text, anonymous: true }
  return context
}
app.service('messages').hooks({ before: { create: [prepareMessage] } })

app.on('connection', (connection) => {
  app.channel('anonymous').join(connection)
})
app.service('messages').publish(() => app.channel('anonymous', 'authenticated'))

await app.listen(port, host)
console.log(`FeathersJS reference listening on http://${host}:${port} (pid ${process.pid})`)
