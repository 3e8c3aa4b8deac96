// Prints the frames a fixed raw-protocol script gets from a server, normalized (random ids replaced), so the
// output of two servers can be diffed line by line:
//
//   node wire-trace.mjs http://127.0.0.1:8787 > tandem.txt; node wire-trace.mjs http://127.0.0.1:8788 > tldraw.txt
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'
import { createTLSchema, InstancePresenceRecordType } from '@tldraw/tlschema'

const base = process.argv[2].replace(/^http/, 'ws').replace(/\/+$/, '')
const room = `trace-${randomUUID().slice(0, 8)}`
const schema = createTLSchema().serialize()
const log = []
const ids = new Map()
const norm = (text) =>
	text.replace(/instance_presence:[A-Za-z0-9_-]+/g, (m) => {
		if (!ids.has(m)) ids.set(m, `instance_presence:#${ids.size + 1}`)
		return ids.get(m)
	})

function open(name, sessionId = name) {
	const ws = new WebSocket(`${base}/connect/${room}?sessionId=${sessionId}`)
	const c = { name, ws, frames: [] }
	ws.on('message', (d) => {
		const t = d.toString()
		c.frames.push(t)
		log.push(`${name} <- ${norm(t)}`)
	})
	ws.on('close', (code, reason) => log.push(`${name} closed ${code} ${reason}`))
	c.opened = new Promise((r) => ws.once('open', r))
	c.send = (m) => {
		const t = JSON.stringify(m)
		log.push(`${name} -> ${norm(t)}`)
		ws.send(t)
	}
	return c
}
const settle = () => new Promise((r) => setTimeout(r, 150))
const connect = (c, lastServerClock = -1) =>
	c.send({ type: 'connect', connectRequestId: `${c.name}-req`, lastServerClock, protocolVersion: 8, schema })
const page = (name) => ({ id: 'page:p1', typeName: 'page', name, index: 'a2', meta: {} })
const presence = InstancePresenceRecordType.create({
	id: InstancePresenceRecordType.createId('mine'),
	currentPageId: 'page:p1',
	userId: 'user:a',
	userName: 'A',
})

const a = open('A')
const b = open('B')
await Promise.all([a.opened, b.opened])
connect(a)
await settle()
connect(b)
await settle()
a.send({ type: 'push', clientClock: 0, diff: { 'page:p1': ['put', page('P')] } })
await settle()
a.send({ type: 'push', clientClock: 1, diff: { 'page:p1': ['put', page('P2')] } })
await settle()
a.send({ type: 'push', clientClock: 2, diff: { 'page:p1': ['patch', { name: ['append', 'X', 2] }] } })
await settle()
a.send({ type: 'push', clientClock: 3, presence: ['put', presence] })
await settle()
a.send({ type: 'push', clientClock: 4, presence: ['patch', { cursor: ['put', { x: 1, y: 2, type: 'default', rotation: 0 }] }] })
await settle()
a.send({ type: 'push', clientClock: 5, diff: { 'page:nope': ['patch', { name: ['put', 'x'] }] } })
await settle()
a.send({ type: 'push', clientClock: 6, diff: { 'page:p1': ['patch', { name: ['append', 'Y', 0] }] } })
await settle()
a.send({ type: 'push', clientClock: 7, diff: { 'page:p1': ['remove'] } })
await settle()
b.send({ type: 'ping' })
await settle()
// B reconnects on a new socket (same sessionId) from clock 2
const b2 = open('B2', 'B')
await b2.opened
connect(b2, 2)
await settle()
a.send({ type: 'push', clientClock: 8, presence: ['patch', { userName: ['put', 'A2'] }] })
await settle()
for (const c of [a, b, b2]) c.ws.close()
await settle()
console.log(log.join('\n'))
process.exit(0)
