// A tldraw TLSyncClient (npm @tldraw/sync-core 5.4.2) driven over stdin, for the Java client's interop test.
//
//   NODE_ENV=test TLDRAW_NODE_DIR=<folder with node_modules> node tldraw-peer.mjs <ws-room-url>
//
// The npm packages are the ones sync-server-jetty's `it` profile installs (npm ci) in its src/test/node
// folder; TLDRAW_NODE_DIR points there. Commands, one per stdin line:
//   put <record json>             store.put([record])
//   update <id> <partial json>    store.update(id, r => ({...r, ...partial}))
//   remove <id>                   store.remove([id])
//   dump                          prints `dump <json>`: every document-scope record by id, keys sorted
// Prints `ready` once connected to the room, `error <reason>` on a sync error.
import { createRequire } from 'node:module'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import readline from 'node:readline'

const require = createRequire(path.join(process.env.TLDRAW_NODE_DIR, 'package.json'))
const WebSocket = require('ws')
const { atom } = require('@tldraw/state')
const { Store } = require('@tldraw/store')
const { createTLSchema } = require('@tldraw/tlschema')
const syncCore = require('@tldraw/sync-core')
const { TLSyncClient } = syncCore

const url = process.argv[2]
const CHUNK = 262144

function chunk(msg) {
	if (typeof syncCore.chunk === 'function') return syncCore.chunk(msg)
	if (msg.length < CHUNK) return [msg]
	const parts = []
	let end = msg.length
	while (end > 0) {
		const prefix = `${parts.length}_`
		const start = Math.max(0, end - Math.max(1, CHUNK - prefix.length))
		parts.push(prefix + msg.slice(start, end))
		end = start
	}
	return parts.reverse()
}

/** TLPersistentClientSocket over `ws`: online/offline/error like tldraw's browser adapter, reconnecting after 500 ms. */
class Socket {
	constructor(url) {
		this.url = url
		this.connectionStatus = 'offline'
		this.messageListeners = new Set()
		this.statusListeners = new Set()
		this.closed = false
		this.open()
	}
	open() {
		if (this.closed) return
		const ws = new WebSocket(this.url)
		this.ws = ws
		ws.on('open', () => this.ws === ws && this.setStatus({ status: 'online' }))
		ws.on('message', (data) => {
			if (this.ws !== ws) return
			const msg = JSON.parse(data.toString('utf8'))
			for (const cb of this.messageListeners) cb(msg)
		})
		ws.on('close', (code, reason) => {
			if (this.ws !== ws) return
			this.ws = null
			if (code === 4099) this.setStatus({ status: 'error', reason: reason.toString('utf8') || 'UNKNOWN_ERROR' })
			else {
				this.setStatus({ status: 'offline' })
				setTimeout(() => this.open(), 500)
			}
		})
		ws.on('error', () => {})
	}
	setStatus(ev) {
		if (ev.status === this.connectionStatus && ev.status !== 'error') return
		this.connectionStatus = ev.status
		for (const cb of this.statusListeners) cb(ev)
	}
	sendMessage(msg) {
		if (this.connectionStatus !== 'online' || !this.ws) return
		for (const part of chunk(JSON.stringify(msg))) this.ws.send(part)
	}
	onReceiveMessage(cb) {
		this.messageListeners.add(cb)
		return () => this.messageListeners.delete(cb)
	}
	onStatusChange(cb) {
		this.statusListeners.add(cb)
		return () => this.statusListeners.delete(cb)
	}
	restart() {
		const ws = this.ws
		this.ws = null
		if (ws) ws.close(1000)
		this.setStatus({ status: 'offline' })
		this.open()
	}
	close() {
		this.closed = true
		if (this.ws) this.ws.close(1000)
	}
}

const schema = createTLSchema()
const store = new Store({
	schema,
	props: {
		defaultName: '',
		assets: { upload: async () => ({ src: '' }), resolve: () => null, remove: async () => {} },
		users: { currentUser: atom('user', null), resolve: () => null },
		onMount: () => {},
	},
})
const sep = url.includes('?') ? '&' : '?'
const socket = new Socket(`${url}${sep}sessionId=node-${randomUUID()}&storeId=${randomUUID()}`)
let announced = false
const client = new TLSyncClient({
	store,
	socket,
	presence: atom('presence', null),
	presenceMode: atom('presenceMode', 'full'),
	onLoad: () => {},
	onSyncError: (reason) => console.log(`error ${reason}`),
	onAfterConnect: () => {
		if (!announced) {
			announced = true
			console.log('ready')
		}
	},
})

function sortKeys(v) {
	if (Array.isArray(v)) return v.map(sortKeys)
	if (v && typeof v === 'object') {
		const out = {}
		for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k])
		return out
	}
	return v
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
	try {
		const [cmd, ...rest] = line.split(' ')
		if (cmd === 'put') {
			store.put([JSON.parse(rest.join(' '))])
		} else if (cmd === 'update') {
			const partial = JSON.parse(rest.slice(1).join(' '))
			store.update(rest[0], (r) => ({ ...r, ...partial }))
		} else if (cmd === 'remove') {
			store.remove([rest[0]])
		} else if (cmd === 'dump') {
			const docs = {}
			for (const r of store.allRecords()) {
				if (schema.types[r.typeName]?.scope === 'document') docs[r.id] = r
			}
			console.log(`dump ${JSON.stringify(sortKeys(docs))}`)
		} else if (cmd === 'quit') {
			client.close()
			socket.close()
			process.exit(0)
		}
	} catch (e) {
		console.log(`fail ${e.message}`)
	}
})
rl.on('close', () => {
	client.close()
	socket.close()
	process.exit(0)
})
