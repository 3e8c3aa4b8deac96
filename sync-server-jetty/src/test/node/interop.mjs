// Interop harness: drives tldraw's own TLSyncClient (npm @tldraw/sync-core 5.4.2) against a sync server
// speaking the tldraw sync protocol v8, and checks that clients converge and that errors close with the
// right 4099 reasons.
//
//   NODE_ENV=test node interop.mjs <baseUrl> [scenario ...]
//
// <baseUrl> is http://host:port (or ws://). Routes used: /connect/<room>, /ro/<room>. Rooms whose id starts
// with "strict-" must reject unknown record types (tldraw's server does so for every room, and so does a
// Tandem server with its default, tldraw's schema, as TldrawClientInteropIT starts it).
//
// Prints one JSON line per scenario: {"scenario", "pass", "ms", "details"|"error"}. Exits 1 if any fails.
// Every wait is bounded. NODE_ENV=test makes the client's 30 fps throttles synchronous (no rAF in Node).
import { isDeepStrictEqual } from 'node:util'
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'
import { atom } from '@tldraw/state'
import { Store } from '@tldraw/store'
import { createTLSchema, InstancePresenceRecordType } from '@tldraw/tlschema'
import * as syncCore from '@tldraw/sync-core'

const { TLSyncClient, getTlsyncProtocolVersion } = syncCore
// `chunk` is an internal export (its type is stripped from the .d.ts but it exists at runtime). Fall back to
// an equivalent splitter if a future build drops it.
const chunk = typeof syncCore.chunk === 'function' ? syncCore.chunk : fallbackChunk
const MAX_SAFE_MESSAGE_SIZE = 262144
const CLOSE_CODE = 4099
const WAIT_MS = 8000
const SCENARIO_MS = 30000

function fallbackChunk(msg, max = MAX_SAFE_MESSAGE_SIZE) {
	if (msg.length < max) return [msg]
	const parts = []
	let end = msg.length
	while (end > 0) {
		const prefix = `${parts.length}_`
		const size = Math.max(1, max - prefix.length)
		const start = Math.max(0, end - size)
		parts.push(prefix + msg.slice(start, end))
		end = start
	}
	return parts.reverse()
}

// ---------------------------------------------------------------------------------------------------
// waiting

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms))
}

async function waitFor(what, predicate, timeoutMs = WAIT_MS) {
	const deadline = Date.now() + timeoutMs
	let lastError
	for (;;) {
		try {
			if (await predicate()) return
			lastError = undefined
		} catch (e) {
			if (e.fatal) throw e
			lastError = e
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`)
		}
		await sleep(10)
	}
}

function check(condition, message) {
	if (!condition) throw new Error(message)
}

/** Fails a wait at once (instead of at its timeout) when a client was closed with a sync error. */
function noSyncErrors(clients) {
	for (const c of clients) {
		if (c.syncErrors.length) {
			const e = new Error(`${c.name} got sync error ${c.syncErrors.join(', ')}`)
			e.fatal = true
			throw e
		}
	}
}

// ---------------------------------------------------------------------------------------------------
// TLPersistentClientSocket over `ws`, behaving like tldraw's browser ClientWebSocketAdapter: status
// online/offline/error, 4099 → error with its reason (UNKNOWN_ERROR when empty), chunked sends, malformed
// frames → restart. It reconnects only when told to (restart/reconnect), so scenarios control timing.

class WsClientSocket {
	constructor(url, name) {
		this.url = url
		this.name = name
		this.connectionStatus = 'offline'
		this.messageListeners = new Set()
		this.statusListeners = new Set()
		this.received = [] // every parsed server message, in order
		this.sent = [] // every client message, before chunking
		this.closeEvents = []
		this.ws = null
		this.closedForGood = false
		this.open()
	}

	open() {
		if (this.closedForGood) return
		const ws = new WebSocket(this.url)
		this.ws = ws
		ws.on('open', () => {
			if (this.ws !== ws) return
			this.setStatus({ status: 'online' })
		})
		ws.on('message', (data, isBinary) => {
			if (this.ws !== ws) return
			const text = isBinary ? new TextDecoder().decode(data) : data.toString('utf8')
			let msg
			try {
				msg = JSON.parse(text)
			} catch {
				this.restart()
				return
			}
			this.received.push(msg)
			for (const cb of this.messageListeners) cb(msg)
		})
		ws.on('close', (code, reasonBuf) => {
			const reason = reasonBuf.toString('utf8')
			this.closeEvents.push({ code, reason })
			if (this.ws !== ws) return
			this.ws = null
			if (code === CLOSE_CODE) this.setStatus({ status: 'error', reason: reason || 'UNKNOWN_ERROR' })
			else this.setStatus({ status: 'offline' })
		})
		ws.on('error', () => {
			// a 'close' event always follows
		})
	}

	setStatus(ev) {
		if (ev.status === this.connectionStatus && ev.status !== 'error') return
		if (ev.status === 'error' && this.connectionStatus === 'error') return
		this.connectionStatus = ev.status
		for (const cb of this.statusListeners) cb(ev)
	}

	sendMessage(msg) {
		if (this.connectionStatus !== 'online' || !this.ws) return
		this.sent.push(msg)
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

	/** Drops the current socket (normal close) and goes offline without reconnecting. */
	disconnect() {
		const ws = this.ws
		this.ws = null
		if (ws) ws.close(1000)
		this.setStatus({ status: 'offline' })
	}

	/** Opens a new socket to the same URL (same sessionId). */
	reconnect() {
		this.disconnect()
		this.open()
	}

	restart() {
		this.reconnect()
	}

	close() {
		this.closedForGood = true
		this.disconnect()
	}

	connectReplies() {
		return this.received.filter((m) => m.type === 'connect')
	}

	/** Every patch/push_result delivered in data frames (and legacy top-level ones). */
	dataEvents() {
		const out = []
		for (const m of this.received) {
			if (m.type === 'data') out.push(...m.data)
			else if (m.type === 'patch' || m.type === 'push_result') out.push(m)
		}
		return out
	}
}

// ---------------------------------------------------------------------------------------------------
// clients

const schema = createTLSchema()
const SERIALIZED_SCHEMA = schema.serialize()

function newStore() {
	return new Store({
		schema,
		props: {
			defaultName: '',
			assets: {
				upload: async () => ({ src: '' }),
				resolve: (asset) => asset.props.src ?? null,
				remove: async () => {},
			},
			users: {
				currentUser: atom('user', null),
				resolve: () => null,
			},
			onMount: () => {},
		},
	})
}

class Harness {
	constructor(baseUrl) {
		this.wsBase = baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')
		this.clients = []
		this.raws = []
	}

	url(route, room, sessionId) {
		const q = new URLSearchParams({ sessionId, storeId: randomUUID() })
		return `${this.wsBase}/${route}/${encodeURIComponent(room)}?${q}`
	}

	client(name, room, { route = 'connect', sessionId = `${name}-${randomUUID()}` } = {}) {
		const store = newStore()
		const socket = new WsClientSocket(this.url(route, room, sessionId), name)
		const presence = atom(`presence-${name}`, null)
		const c = {
			name,
			store,
			socket,
			presence,
			sessionId,
			connects: 0,
			isReadonly: undefined,
			syncErrors: [],
		}
		c.client = new TLSyncClient({
			store,
			socket,
			presence,
			presenceMode: atom('presenceMode', 'full'),
			onLoad: () => {},
			onSyncError: (reason) => c.syncErrors.push(reason),
			onAfterConnect: (_client, { isReadonly }) => {
				c.connects++
				c.isReadonly = isReadonly
			},
		})
		this.clients.push(c)
		return c
	}

	raw(route, room, sessionId = `raw-${randomUUID()}`) {
		const r = new RawClient(this.url(route, room, sessionId))
		this.raws.push(r)
		return r
	}

	closeAll() {
		for (const c of this.clients) {
			try {
				c.client.close()
			} catch {}
			c.socket.close()
		}
		for (const r of this.raws) r.close()
		this.clients = []
		this.raws = []
	}
}

/** A bare WebSocket that sends protocol messages by hand and records what comes back. */
class RawClient {
	constructor(url) {
		this.frames = []
		this.closed = null
		this.ws = new WebSocket(url)
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', resolve)
			this.ws.once('error', reject)
		})
		this.ws.on('message', (data) => this.frames.push(JSON.parse(data.toString('utf8'))))
		this.ws.on('close', (code, reason) => {
			this.closed = { code, reason: reason.toString('utf8') }
		})
		this.ws.on('error', () => {})
	}

	async send(msgOrText) {
		await this.opened
		this.ws.send(typeof msgOrText === 'string' ? msgOrText : JSON.stringify(msgOrText))
	}

	async connect(overrides = {}) {
		const connectRequestId = randomUUID()
		await this.send({
			type: 'connect',
			connectRequestId,
			lastServerClock: -1,
			protocolVersion: getTlsyncProtocolVersion(),
			schema: SERIALIZED_SCHEMA,
			...overrides,
		})
		return connectRequestId
	}

	async waitConnected() {
		await waitFor('connect reply', () => this.frames.some((f) => f.type === 'connect') || this.closed)
		check(!this.closed, `closed instead of connecting: ${JSON.stringify(this.closed)}`)
		return this.frames.find((f) => f.type === 'connect')
	}

	async waitClose() {
		await waitFor('socket close', () => this.closed)
		return this.closed
	}

	close() {
		try {
			this.ws.close()
		} catch {}
	}
}

// ---------------------------------------------------------------------------------------------------
// records

function docRecords(store) {
	return store.serialize('document')
}

function presenceNames(store) {
	return store
		.allRecords()
		.filter((r) => r.typeName === 'instance_presence')
		.map((r) => r.userName)
		.sort()
}

function presenceOf(store, userName) {
	return store.allRecords().find((r) => r.typeName === 'instance_presence' && r.userName === userName)
}

async function waitConverged(what, clients) {
	await waitFor(`${what}: ${clients.map((c) => c.name).join(', ')} converge`, () => {
		noSyncErrors(clients)
		const first = docRecords(clients[0].store)
		return clients.slice(1).every((c) => isDeepStrictEqual(docRecords(c.store), first))
	})
}

function page(id, name, index) {
	return { id, typeName: 'page', name, index, meta: {} }
}

function geo(id, parentId, { x = 0, y = 0, index = 'a1', text = '', meta = {} } = {}) {
	return {
		id,
		typeName: 'shape',
		type: 'geo',
		x,
		y,
		rotation: 0,
		index,
		parentId,
		isLocked: false,
		opacity: 1,
		meta,
		props: {
			geo: 'rectangle',
			dash: 'draw',
			url: '',
			w: 100,
			h: 50,
			growY: 0,
			scale: 1,
			flipX: false,
			flipY: false,
			labelColor: 'black',
			color: 'black',
			fill: 'none',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			richText: { type: 'doc', content: [{ type: 'paragraph', content: text ? [{ type: 'text', text }] : [] }] },
		},
	}
}

function setPresence(c, fields) {
	const prev = c.presence.get()
	const base =
		prev ??
		InstancePresenceRecordType.create({
			id: InstancePresenceRecordType.createId(c.name),
			currentPageId: 'page:page',
			userId: `user:${c.name}`,
			userName: c.name,
		})
	c.presence.set({ ...base, ...fields })
}

async function connectAll(clients) {
	await waitFor(`${clients.map((c) => c.name).join(', ')} connect`, () => {
		noSyncErrors(clients)
		return clients.every((c) => c.connects >= 1)
	})
}

/** Every op of one kind found in the diffs of patches a socket received. */
function receivedOps(c, valueOpType) {
	const found = []
	const walk = (node) => {
		if (Array.isArray(node)) {
			if (node[0] === valueOpType) found.push(node)
			node.forEach(walk)
		} else if (node && typeof node === 'object') {
			Object.values(node).forEach(walk)
		}
	}
	for (const ev of c.socket.dataEvents()) if (ev.type === 'patch') walk(ev.diff)
	return found
}

function sentOps(c, valueOpType) {
	const found = []
	const walk = (node) => {
		if (Array.isArray(node)) {
			if (node[0] === valueOpType) found.push(node)
			node.forEach(walk)
		} else if (node && typeof node === 'object') {
			Object.values(node).forEach(walk)
		}
	}
	for (const m of c.socket.sent) if (m.type === 'push' && m.diff) walk(m.diff)
	return found
}

// ---------------------------------------------------------------------------------------------------
// scenarios

const scenarios = {}

scenarios['three-clients-converge'] = async (h, room) => {
	const [a, b, c] = ['A', 'B', 'C'].map((n) => h.client(n, room))
	await connectAll([a, b, c])
	check(a.socket.connectReplies()[0].hydrationType === 'wipe_all', 'first connect must be wipe_all')

	a.store.put([page('page:p1', 'Page', 'a2'), geo('shape:s1', 'page:p1', { x: 10, y: 20, meta: { label: 'ab' } })])
	b.store.put([geo('shape:s2', 'page:p1', { x: 100, index: 'a2', text: 'hello' })])
	await waitConverged('creates', [a, b, c])
	check(c.store.get('shape:s1')?.x === 10, 'C sees shape:s1')

	// string appends (top-level and nested in meta), a move, a rich-text change
	a.store.update('page:p1', (p) => ({ ...p, name: 'Page One' }))
	a.store.update('shape:s1', (s) => ({ ...s, x: 42, y: 84, meta: { label: 'abcd' } }))
	c.store.update('shape:s2', (s) => ({
		...s,
		props: { ...s.props, richText: geo('x', 'y', { text: 'hello world' }).props.richText },
	}))
	await waitConverged('updates', [a, b, c])
	check(b.store.get('page:p1').name === 'Page One', `B page name: ${b.store.get('page:p1').name}`)
	check(b.store.get('shape:s1').x === 42 && b.store.get('shape:s1').y === 84, 'B sees the move')
	check(sentOps(a, 'append').length >= 1, 'A sent no append op')
	check(receivedOps(b, 'append').length >= 1, 'B never received an append op in a patch')

	// concurrent edits of one record from two clients
	a.store.update('shape:s2', (s) => ({ ...s, x: 1 }))
	b.store.update('shape:s2', (s) => ({ ...s, y: 2 }))
	c.store.remove(['shape:s1'])
	await waitConverged('delete and concurrent edits', [a, b, c])
	check(!a.store.has('shape:s1') && !b.store.has('shape:s1'), 'shape:s1 still present after delete')
	check(b.store.get('shape:s2').y === 2, 'B lost its own edit')

	// presence
	for (const x of [a, b, c]) setPresence(x, { cursor: { x: 1, y: 1, type: 'default', rotation: 0 } })
	await waitFor('everyone sees the others\' presence', () =>
		[a, b, c].every((x) => isDeepStrictEqual(presenceNames(x.store), ['A', 'B', 'C'].filter((n) => n !== x.name)))
	)
	setPresence(b, { cursor: { x: 77, y: 88, type: 'default', rotation: 0 }, selectedShapeIds: ['shape:s2'] })
	await waitFor('presence update reaches A and C', () =>
		[a, c].every((x) => presenceOf(x.store, 'B')?.cursor?.x === 77 && presenceOf(x.store, 'B').selectedShapeIds[0] === 'shape:s2')
	)
	const presenceIds = new Set([a, b, c].flatMap((x) => x.store.allRecords().filter((r) => r.typeName === 'instance_presence').map((r) => r.id)))
	check(presenceIds.size === 3, `expected 3 distinct presence ids, got ${[...presenceIds]}`)
	check([a, b, c].every((x) => x.syncErrors.length === 0), 'unexpected sync errors')
	return { records: Object.keys(docRecords(a.store)).length, appendsReceivedByB: receivedOps(b, 'append').length }
}

scenarios['reconnect-catches-up-incrementally'] = async (h, room) => {
	const [a, b, c] = ['A', 'B', 'C'].map((n) => h.client(n, room))
	await connectAll([a, b, c])
	a.store.put([page('page:p1', 'Page', 'a2'), page('page:untouched', 'Untouched', 'a3')])
	a.store.put([geo('shape:keep', 'page:p1'), geo('shape:gone', 'page:p1', { index: 'a2' })])
	await waitConverged('initial', [a, b, c])
	setPresence(c, { chatMessage: 'hi' })
	await waitFor('A sees C presence', () => presenceOf(a.store, 'C'))
	const presenceIdBefore = presenceOf(a.store, 'C').id

	c.socket.disconnect()
	await waitFor('C offline', () => c.socket.connectionStatus === 'offline')
	a.store.update('shape:keep', (s) => ({ ...s, x: 500, meta: { note: 'moved while C was away' } }))
	b.store.remove(['shape:gone'])
	b.store.put([geo('shape:new', 'page:p1', { index: 'a3' })])
	// an offline edit of C's own, pushed after it reconnects
	c.store.update('page:p1', (p) => ({ ...p, name: 'Page (edited offline)' }))
	await waitConverged('A and B while C is away', [a, b])

	const repliesBefore = c.socket.connectReplies().length
	c.socket.reconnect()
	await waitFor('C reconnects', () => c.socket.connectReplies().length > repliesBefore && c.connects >= 2)
	const reply = c.socket.connectReplies().at(-1)
	check(reply.hydrationType === 'wipe_presence', `reconnect hydrationType was ${reply.hydrationType}`)
	check(isDeepStrictEqual(reply.diff['shape:gone'], ['remove']), `reconnect diff lacks remove of shape:gone: ${JSON.stringify(reply.diff['shape:gone'])}`)
	check(reply.diff['shape:new']?.[0] === 'put', 'reconnect diff lacks put of shape:new')
	check(reply.diff['shape:keep']?.[0] === 'put', 'reconnect diff lacks shape:keep')
	check(!('page:untouched' in reply.diff), 'reconnect diff resent an unchanged record (not incremental)')
	await waitConverged('after reconnect', [a, b, c])
	check(a.store.get('page:p1').name === 'Page (edited offline)', 'C\'s offline edit did not reach A')
	check(!c.store.has('shape:gone'), 'C still has shape:gone')
	await waitFor('A still sees C presence', () => presenceOf(a.store, 'C'))
	return {
		reconnectDiffIds: Object.keys(reply.diff).sort(),
		presenceIdKept: presenceOf(a.store, 'C').id === presenceIdBefore,
	}
}

scenarios['readonly-client-is-discarded'] = async (h, room) => {
	const a = h.client('A', room)
	const r = h.client('R', room, { route: 'ro' })
	await connectAll([a, r])
	check(r.isReadonly === true, `read-only connect reply had isReadonly=${r.isReadonly}`)
	check(a.isReadonly === false, 'read-write connect reply had isReadonly=true')
	a.store.put([page('page:p1', 'Page', 'a2'), geo('shape:s1', 'page:p1', { x: 5 })])
	await waitConverged('initial', [a, r])

	setPresence(r, { chatMessage: 'just looking' })
	await waitFor('A sees R presence', () => presenceOf(a.store, 'R')?.chatMessage === 'just looking')

	r.store.update('shape:s1', (s) => ({ ...s, x: 999 }))
	r.store.put([geo('shape:ro-new', 'page:p1', { index: 'a5' })])
	check(r.store.get('shape:s1').x === 999, 'local edit not applied optimistically')
	const documentPushResults = () => {
		const withDiff = new Set(r.socket.sent.filter((m) => m.type === 'push' && m.diff).map((m) => m.clientClock))
		return r.socket.dataEvents().filter((e) => e.type === 'push_result' && withDiff.has(e.clientClock))
	}
	await waitFor('R gets discard', () => {
		const results = documentPushResults()
		return results.length >= 1 && results.every((e) => e.action === 'discard')
	})
	await waitConverged('R reverts', [a, r])
	check(r.store.get('shape:s1').x === 5 && !r.store.has('shape:ro-new'), 'R did not revert')

	// a later change from A reaches R; A never saw R's edits
	a.store.update('shape:s1', (s) => ({ ...s, y: 7 }))
	await waitFor('R sees A\'s later change', () => r.store.get('shape:s1').y === 7)
	const leaked = a.socket.dataEvents().some((e) => e.type === 'patch' && ('shape:ro-new' in e.diff || e.diff['shape:s1']))
	check(!leaked, 'A received a patch with R\'s edits')
	setPresence(r, { chatMessage: 'still here' })
	await waitFor('R presence update reaches A', () => presenceOf(a.store, 'R')?.chatMessage === 'still here')
	check(r.syncErrors.length === 0, `R got sync errors ${r.syncErrors}`)
	return { documentPushResults: documentPushResults().map((e) => e.action) }
}

scenarios['chunked-large-push'] = async (h, room) => {
	const a = h.client('A', room)
	const b = h.client('B', room)
	await connectAll([a, b])
	const blob = 'é'.repeat(150000) + 'x'.repeat(150000) // 300k UTF-16 units, ~450 KB UTF-8
	a.store.put([page('page:p1', 'Page', 'a2'), geo('shape:big', 'page:p1', { meta: { blob } })])
	await waitConverged('large record', [a, b])
	check(b.store.get('shape:big').meta.blob === blob, 'blob corrupted')
	const largest = a.socket.sent
		.filter((m) => m.type === 'push')
		.map((m) => JSON.stringify(m))
		.reduce((x, y) => (y.length > x.length ? y : x), '')
	const chunks = chunk(largest)
	check(chunks.length >= 2, `expected the push to be chunked, got ${chunks.length} frame(s)`)
	// a client joining later gets the room in one connect reply that Tandem sends in fragments while it
	// encodes it (here ~500 KB: the large record and 40 more of ~1,000 characters)
	a.store.put(
		Array.from({ length: 40 }, (_, i) =>
			geo(`shape:n${i}`, 'page:p1', { index: `a3${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn'[i]}`, meta: { note: `${i}é€😀`.repeat(200) } })
		)
	)
	await waitConverged('forty more shapes', [a, b])
	const c = h.client('C', room)
	await connectAll([c])
	await waitConverged('late client', [a, b, c])
	check(c.store.get('shape:big').meta.blob === blob, 'blob corrupted for the late client')
	check(c.store.get('shape:n39').meta.note === '39é€😀'.repeat(200), 'shape n39 corrupted for the late client')
	return { chunks: chunks.length, pushes: a.socket.sent.filter((m) => m.type === 'push').length }
}

scenarios['rejections'] = async (h, room) => {
	const strictRoom = `strict-${room}`
	const results = {}
	// a working pair in the strict room, which must keep working after every rejection below
	const a = h.client('A', strictRoom)
	const b = h.client('B', strictRoom)
	// a client in a default room too, which pins that room's schema on a pinned-mode server
	const p = h.client('P', room)
	await connectAll([a, b, p])
	a.store.put([page('page:p1', 'Page', 'a2')])
	await waitConverged('pair', [a, b])

	async function expectRejected(name, route, targetRoom, steps, expectedReason) {
		const raw = h.raw(route, targetRoom)
		await steps(raw)
		let closed
		try {
			closed = await raw.waitClose()
		} catch (e) {
			throw new Error(`${name}: ${e.message}; received ${JSON.stringify(raw.frames).slice(0, 500)}`)
		}
		results[name] = closed
		check(
			closed.code === CLOSE_CODE && closed.reason === expectedReason,
			`${name}: expected close ${CLOSE_CODE} ${expectedReason}, got ${closed.code} ${JSON.stringify(closed.reason)}`
		)
	}

	const pushAfterConnect = (diff) => async (raw) => {
		await raw.connect()
		await raw.waitConnected()
		await raw.send({ type: 'push', clientClock: 0, diff })
	}

	await expectRejected(
		'unknown-type',
		'connect',
		strictRoom,
		pushAfterConnect({ 'nope:1': ['put', { id: 'nope:1', typeName: 'nope' }] }),
		'INVALID_RECORD'
	)
	await expectRejected(
		'missing-typeName',
		'connect',
		room,
		pushAfterConnect({ 'shape:bad': ['put', { id: 'shape:bad', x: 1 }] }),
		'INVALID_RECORD'
	)
	const newer = structuredClone(SERIALIZED_SCHEMA)
	newer.sequences['com.tldraw.shape.arrow'] += 1
	await expectRejected('newer-sequence', 'connect', strictRoom, (raw) => raw.connect({ schema: newer }), 'SERVER_TOO_OLD')
	await expectRejected('newer-sequence-default-room', 'connect', room, (raw) => raw.connect({ schema: newer }), 'SERVER_TOO_OLD')
	const unknownSeq = structuredClone(SERIALIZED_SCHEMA)
	unknownSeq.sequences['com.example.unknown'] = 1
	// tldraw ignores client sequences the server does not know (getMigrationsSince works on shared ids)
	const extra = h.raw('connect', strictRoom)
	await extra.connect({ schema: unknownSeq })
	const extraReply = await extra.waitConnected()
	results['unknown-sequence'] = { code: 'accepted', reason: extraReply.hydrationType }
	extra.close()
	await expectRejected('protocol-9', 'connect', strictRoom, (raw) => raw.connect({ protocolVersion: 9 }), 'SERVER_TOO_OLD')
	await expectRejected('protocol-4', 'connect', strictRoom, (raw) => raw.connect({ protocolVersion: 4 }), 'CLIENT_TOO_OLD')
	await expectRejected('no-schema', 'connect', strictRoom, (raw) => raw.connect({ schema: undefined }), 'CLIENT_TOO_OLD')
	await expectRejected(
		'garbage-json',
		'connect',
		strictRoom,
		async (raw) => {
			await raw.connect()
			await raw.waitConnected()
			await raw.send('{"type":"push", this is not json')
		},
		'UNKNOWN_ERROR'
	)

	// the pair never saw anything from the rejected sessions and still syncs
	a.store.put([geo('shape:after', 'page:p1')])
	await waitConverged('pair after rejections', [a, b])
	check(!b.store.has('nope:1') && !b.store.has('shape:bad'), 'a rejected record leaked')
	check(a.syncErrors.length === 0 && b.syncErrors.length === 0 && p.syncErrors.length === 0, 'the clients got sync errors')
	return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, `${v.code} ${v.reason}`]))
}

// ---------------------------------------------------------------------------------------------------
// main

async function main() {
	const [baseUrl, ...only] = process.argv.slice(2)
	if (!baseUrl) {
		console.error('usage: NODE_ENV=test node interop.mjs <baseUrl> [scenario ...]')
		process.exit(2)
	}
	const names = only.length ? only : Object.keys(scenarios)
	const runId = randomUUID().slice(0, 8)
	let failed = 0
	for (const name of names) {
		const run = scenarios[name]
		const h = new Harness(baseUrl)
		const started = Date.now()
		const line = { scenario: name }
		try {
			if (!run) throw new Error(`unknown scenario ${name}`)
			let timer
			const details = await Promise.race([
				run(h, `${name}-${runId}`),
				new Promise((_, reject) => {
					timer = setTimeout(() => reject(new Error(`scenario timed out after ${SCENARIO_MS} ms`)), SCENARIO_MS)
				}),
			]).finally(() => clearTimeout(timer))
			Object.assign(line, { pass: true, ms: Date.now() - started, details })
		} catch (e) {
			failed++
			Object.assign(line, { pass: false, ms: Date.now() - started, error: e?.stack ?? String(e) })
		} finally {
			h.closeAll()
		}
		console.log(JSON.stringify(line))
	}
	process.exit(failed ? 1 : 0)
}

main().catch((e) => {
	console.error(e)
	process.exit(1)
})
