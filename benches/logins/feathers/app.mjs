// The FeathersJS v5 reference of the logins benchmark: what the chat
// example does for a local login, written the Feathers way with Feathers'
// own packages and defaults. A `users` memory service whose passwords are
// hashed by `hashPassword('password')` (the local strategy's
// `hashPassword`: bcryptjs, cost 10) and kept from every external caller by
// `protect('password')`, and an `authentication` service with the `local`
// and `jwt` strategies (HS256 access tokens, Feathers' default options).
//
//   HOST=127.0.0.1 PORT=3141 AUTH_SECRET=... node app.mjs
import { feathers } from '@feathersjs/feathers'
import { koa, rest, bodyParser, errorHandler, parseAuthentication } from '@feathersjs/koa'
import { MemoryService } from '@feathersjs/memory'
import { AuthenticationService, JWTStrategy } from '@feathersjs/authentication'
import { LocalStrategy, hooks } from '@feathersjs/authentication-local'

const { hashPassword, protect } = hooks
const host = process.env.HOST ?? '127.0.0.1'
const port = Number(process.env.PORT ?? 3030)
const secret = process.env.AUTH_SECRET
if (!secret) {
  console.error('AUTH_SECRET is needed')
  process.exit(2)
}

const app = koa(feathers())
app.use(errorHandler())
app.use(parseAuthentication())
app.use(bodyParser())
app.configure(rest())

// As a generated Feathers v5 app configures it (`authentication.local`
// with email and password); every other option is Feathers' default.
app.set('authentication', {
  secret,
  entity: 'user',
  service: 'users',
  authStrategies: ['jwt', 'local'],
  local: { usernameField: 'email', passwordField: 'password' }
})
const authentication = new AuthenticationService(app)
authentication.register('jwt', new JWTStrategy())
authentication.register('local', new LocalStrategy())

app.use('users', new MemoryService({ paginate: { default: 10, max: 50 } }))
app.use('authentication', authentication)
app.service('users').hooks({
  before: { create: [hashPassword('password')], patch: [hashPassword('password')] },
  after: { all: [protect('password')] }
})

await app.listen(port, host)
console.log(`FeathersJS logins reference listening on http://${host}:${port} (pid ${process.pid})`)
