// A load generator made of tldraw's own client code: N TLSyncClients (npm @tldraw/sync-core 5.4.2, each with
// its own tldraw Store and schema) in R rooms of one server, driven the way an editor drives them, and the
// same JSON line as sync-bench's Java LoadGenerator, so Comparison can run either (--generator tldraw).
//
//   node load-generator.mjs --url http://127.0.0.1:8787/ [--clients 40] [--rooms 2] [--rate 400]
//        [--workload synthetic|tldraw] [--warmup 5] [--duration 20] [--drain 3] [--server-pid N]
//        [--room-prefix P] [--room-offset 0] [--label L]
//
// Workloads (as in LoadConfig.Workload):
//   synthetic  each change creates or updates a small page record (half each), offered at --rate in total;
//   tldraw     20 users per room: each moves its cursor every frame (the presence atom), and 3 of every 20 also
//              drag a geo shape, creating a new one every 90 frames; TLSyncClient throttles its pushes itself to
//              30 per second (COLLABORATIVE_MODE_FPS) and sends what changed in that frame.
// The client's real frame throttle runs (no NODE_ENV=test): requestAnimationFrame is a 16 ms timer here.
//
// Measures (from a tap on each client's socket, below TLSyncClient): push → push_result latency by clientClock,
// fan-out latency (a stamp in meta.lg_t until every other client of the room received it), deliveries and
// frames per second, the server's CPU and RSS from /proc, this process's own CPU. Every wait is bounded.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { atom } from '@tldraw/state'
import { Store } from '@tldraw/store'
import { createTLSchema, InstancePresenceRecordType } from '@tldraw/tlschema'
import { TLSyncClient } from '@tldraw/sync-core'

globalThis.requestAnimationFrame ??= (cb) => setTimeout(() => cb(performance.now()), 16)
globalThis.cancelAnimationFrame ??= (id) => clearTimeout(id)

const USERS_PER_ROOM = 20
const DRAWERS_PER_ROOM = 3
const DRAG_FRAMES = 90
const FRAME_MS = 1000 / 30
const CONNECT_TIMEOUT_MS = 30000
const MAX_SAMPLES = 2_000_000

const args = parseArgs(process.argv.slice(2))
const workload = args.workload ?? 'synthetic'
if (workload !== 'synthetic' && workload !== 'tldraw') fail(`workload must be synthetic or tldraw but was ${workload}`)
const clientsN = int(args.clients ?? '40', 'clients', 1, 2000)
const roomsN = int(args.rooms ?? String(workload === 'tldraw' ? Math.max(1, Math.floor(clientsN / USERS_PER_ROOM)) : 2), 'rooms', 1, clientsN)
const roomOffset = int(args['room-offset'] ?? '0', 'room-offset', 0, 1e6)
const rate = Number(args.rate ?? (workload === 'tldraw' ? clientsN * 30 : 400))
const warmupMs = Number(args.warmup ?? '5') * 1000
const durationMs = Number(args.duration ?? '20') * 1000
const drainMs = Number(args.drain ?? '3') * 1000
const serverPid = Number(args['server-pid'] ?? '0')
const roomPrefix = args['room-prefix'] ?? `tg-${Date.now().toString(36)}`
const label = args.label ?? 'server'
const base = (args.url ?? 'http://127.0.0.1:8787/').replace(/^http/, 'ws').replace(/\/*$/, '/')

function parseArgs(list) {
	const out = {}
	for (let i = 0; i < list.length; i += 2) {
		if (!list[i].startsWith('--') || i + 1 >= list.length) fail(`bad option ${list[i]}`)
		out[list[i].slice(2)] = list[i + 1]
	}
	return out
}
function int(v, name, min, max) {
	const n = Number(v)
	if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be in ${min}..${max} but was ${v}`)
	return n
}
function fail(message) {
	console.error(`load-generator.mjs: ${message}`)
	process.exit(2)
}

// ------------------------------------------------------------------------------------------------
// metrics

const start = performance.now()
const windowStart = start + warmupMs
const windowEnd = windowStart + durationMs
const inWindow = (t) => t >= windowStart && t < windowEnd
const m = {
	connect: [],
	commit: [],
	fanout: [],
	delivery: [],
	offered: 0,
	sent: 0,
	committed: 0,
	discarded: 0,
	deliveries: 0,
	frames: 0,
	closedEarly: 0,
	stopping: false,
}
/** stamp → { sent, remaining } for stamps sent in the window to a room with peers */
const fanouts = new Map()
function sample(list, ms) {
	if (list.length < MAX_SAMPLES) list.push(ms)
}
function stampNow(index) {
	// ms since start with 3 decimals, times 4096, plus the client's index: an integer below 2^53
	return Math.round((performance.now() - start) * 1000) * 4096 + index
}
function stampSent(stamp) {
	return start + Math.floor(stamp / 4096) / 1000
}

/** Finds every meta.lg_t stamp in a patch's network diff. */
function stampsIn(diff, out) {
	for (const id in diff) {
		const op = diff[id]
		if (op[0] === 'put') {
			const s = op[1]?.meta?.lg_t
			if (typeof s === 'number') out.push(s)
		} else if (op[0] === 'patch') {
			const meta = op[1]?.meta
			if (!meta) continue
			if (meta[0] === 'put' && typeof meta[1]?.lg_t === 'number') out.push(meta[1].lg_t)
			else if (meta[0] === 'patch' && meta[1]?.lg_t?.[0] === 'put') out.push(meta[1].lg_t[1])
		}
	}
}

// ------------------------------------------------------------------------------------------------
// clients: tldraw's TLSyncClient over a `ws` socket with a tap

const schema = createTLSchema()
const connectSchema = schema.serialize()

function newStore() {
	return new Store({
		schema,
		props: {
			defaultName: '',
			assets: { upload: async () => ({ src: '' }), resolve: () => null, remove: async () => {} },
			users: { currentUser: atom('user', null), resolve: () => null },
			onMount: () => {},
		},
	})
}

class TappedSocket {
	constructor(url, c) {
		this.c = c
		this.connectionStatus = 'offline'
		this.messageListeners = new Set()
		this.statusListeners = new Set()
		this.ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 })
		this.ws.on('open', () => this.setStatus({ status: 'online' }))
		this.ws.on('message', (data) => this.onFrame(data.toString('utf8')))
		this.ws.on('close', (code, reason) => {
			if (!m.stopping && this.c.connected) m.closedEarly++
			if (!this.c.connected) this.c.connectFailed(`closed ${code} ${reason}`)
			this.setStatus(code === 4099 ? { status: 'error', reason: reason.toString() || 'UNKNOWN_ERROR' } : { status: 'offline' })
		})
		this.ws.on('error', (e) => this.c.connectFailed(String(e)))
	}
	onFrame(text) {
		const now = performance.now()
		if (inWindow(now)) m.frames++
		const msg = JSON.parse(text)
		const list = msg.type === 'data' ? msg.data : [msg]
		for (const e of list) {
			if (e.type === 'connect') this.c.onConnected(now)
			else if (e.type === 'push_result') this.c.onPushResult(e, now)
			else if (e.type === 'patch') this.c.onPatch(e, now)
		}
		for (const cb of this.messageListeners) cb(msg)
	}
	setStatus(ev) {
		if (ev.status === this.connectionStatus && ev.status !== 'error') return
		this.connectionStatus = ev.status
		for (const cb of this.statusListeners) cb(ev)
	}
	sendMessage(msg) {
		if (this.connectionStatus !== 'online') return
		if (msg.type === 'push') this.c.onPush(msg)
		// tldraw's adapter chunks past 262,144 chars; these pushes are far below
		this.ws.send(JSON.stringify(msg))
	}
	onReceiveMessage(cb) {
		this.messageListeners.add(cb)
		return () => this.messageListeners.delete(cb)
	}
	onStatusChange(cb) {
		this.statusListeners.add(cb)
		return () => this.statusListeners.delete(cb)
	}
	restart() {}
	close() {
		try {
			this.ws.close(1000)
		} catch {}
	}
}

class LoadUser {
	constructor(index) {
		this.index = index
		this.room = roomOffset + (index % roomsN)
		this.drawer = workload === 'tldraw' && Math.floor(index / roomsN) % USERS_PER_ROOM < DRAWERS_PER_ROOM
		this.connected = false
		this.peers = 0
		this.sentAt = new Map() // clientClock → time
		this.presenceOnly = new Set()
		this.frame = 0
		this.changes = 0
		this.cursor = { x: 100 + (index % 37) * 13.5, y: 80 + (index % 23) * 9.25 }
		this.connectedPromise = new Promise((resolve, reject) => {
			this.resolveConnect = resolve
			this.rejectConnect = reject
		})
	}
	open() {
		this.connectStart = performance.now()
		const sessionId = `${roomPrefix}-${roomOffset}-${this.index}`
		const url = `${base}connect/${roomPrefix}-${this.room}?sessionId=${sessionId}&storeId=${sessionId}`
		this.store = newStore()
		this.presence = atom(`presence-${this.index}`, null)
		this.socket = new TappedSocket(url, this)
		this.client = new TLSyncClient({
			store: this.store,
			socket: this.socket,
			presence: this.presence,
			presenceMode: atom('presenceMode', 'full'),
			onLoad: () => {},
			onSyncError: (reason) => this.connectFailed(`sync error ${reason}`),
		})
		return this.connectedPromise
	}
	onConnected(now) {
		if (this.connected) return
		this.connected = true
		sample(m.connect, now - this.connectStart)
		this.resolveConnect()
	}
	connectFailed(why) {
		if (!this.connected) this.rejectConnect(new Error(why))
	}
	onPush(msg) {
		const now = performance.now()
		this.sentAt.set(msg.clientClock, now)
		if (!msg.diff) this.presenceOnly.add(msg.clientClock)
		if (inWindow(now)) m.sent++
	}
	onPushResult(e, now) {
		const sent = this.sentAt.get(e.clientClock)
		if (sent === undefined) return
		this.sentAt.delete(e.clientClock)
		const presenceOnly = this.presenceOnly.delete(e.clientClock)
		if (!inWindow(sent)) return
		// tldraw's client leaves diff out of a presence-only push, which both servers answer with commit
		if (e.action === 'commit' || e.action?.rebaseWithDiff || (presenceOnly && e.action === 'discard')) {
			m.committed++
			sample(m.commit, now - sent)
		} else {
			m.discarded++
		}
	}
	onPatch(e, now) {
		const stamps = []
		stampsIn(e.diff, stamps)
		for (const s of stamps) {
			const sent = stampSent(s)
			if (!inWindow(sent)) continue
			m.deliveries++
			sample(m.delivery, now - sent)
			const f = fanouts.get(s)
			if (f && --f.remaining === 0) {
				fanouts.delete(s)
				sample(m.fanout, now - sent)
			}
		}
	}
	stamp() {
		const s = stampNow(this.index)
		if (this.peers > 0 && inWindow(performance.now())) fanouts.set(s, { remaining: this.peers })
		return s
	}
	/** One synthetic change: create (even) or update (odd) a small page record. */
	change() {
		const n = this.changes++
		const id = `page:${roomPrefix}-${roomOffset}c${this.index}r${n >> 1}`
		const s = this.stamp()
		if ((n & 1) === 0) {
			this.store.put([{ id, typeName: 'page', name: 'lg', index: 'a1', meta: { lg_t: s } }])
		} else {
			this.store.update(id, (r) => ({ ...r, meta: { lg_t: s } }))
		}
	}
	/** One frame of a tldraw user: move the cursor, and for a drawer drag (or create) a shape. */
	tick() {
		const f = this.frame++
		this.cursor = { x: this.cursor.x + 3.25 + (f % 7), y: this.cursor.y + (f % 11) - 5 + 0.5 }
		const s = this.stamp()
		if (this.drawer) {
			const id = `shape:${roomPrefix}-${roomOffset}c${this.index}s${Math.floor(f / DRAG_FRAMES)}`
			if (f % DRAG_FRAMES === 0) {
				this.store.put([geoShape(id, this.cursor, s)])
			} else {
				this.store.update(id, (r) => ({ ...r, x: this.cursor.x - 20, y: this.cursor.y - 10, meta: { lg_t: s } }))
			}
		}
		const prev = this.presence.get()
		this.presence.set(
			prev
				? {
						...prev,
						lastActivityTimestamp: 1_732_300_000_000 + f,
						cursor: { x: this.cursor.x, y: this.cursor.y, type: 'default', rotation: 0 },
						meta: this.drawer ? prev.meta : { lg_t: s },
					}
				: InstancePresenceRecordType.create({
						id: InstancePresenceRecordType.createId(`lg${this.index}`),
						currentPageId: 'page:page',
						userId: `user:lg${this.index}`,
						userName: `lg${this.index}`,
						lastActivityTimestamp: 1_732_300_000_000,
						color: '#FF802B',
						camera: { x: -120.5, y: -48.25, z: 1 },
						screenBounds: { x: 0, y: 0, w: 1512, h: 823 },
						cursor: { x: this.cursor.x, y: this.cursor.y, type: 'default', rotation: 0 },
						meta: this.drawer ? {} : { lg_t: s },
					})
		)
	}
	close() {
		try {
			this.client?.close()
		} catch {}
		this.socket?.close()
	}
}

function geoShape(id, at, stamp) {
	return {
		x: at.x,
		y: at.y,
		rotation: 0,
		isLocked: false,
		opacity: 1,
		meta: { lg_t: stamp },
		id,
		type: 'geo',
		props: {
			w: 160.5,
			h: 90.25,
			geo: 'rectangle',
			dash: 'draw',
			growY: 0,
			url: '',
			scale: 1,
			color: 'black',
			labelColor: 'black',
			fill: 'semi',
			size: 'm',
			font: 'draw',
			align: 'middle',
			verticalAlign: 'middle',
			richText: { type: 'doc', content: [{ type: 'paragraph' }] },
			flipX: false,
			flipY: false,
		},
		parentId: 'page:page',
		index: 'a1',
		typeName: 'shape',
	}
}

// ------------------------------------------------------------------------------------------------
// /proc

function cpuSeconds(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
		return (Number(f[11]) + Number(f[12])) / 100
	} catch {
		return -1
	}
}
function rssMb(pid) {
	try {
		const s = readFileSync(`/proc/${pid}/status`, 'utf8')
		const kb = /VmRSS:\s+(\d+)/.exec(s)
		return kb ? Number(kb[1]) / 1024 : -1
	} catch {
		return -1
	}
}
function machineBusySeconds() {
	try {
		const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
		return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100
	} catch {
		return -1
	}
}
const selfCpu = () => {
	const u = process.cpuUsage()
	return (u.user + u.system) / 1e6
}

// ------------------------------------------------------------------------------------------------
// run

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
function percentiles(list) {
	const a = Float64Array.from(list).sort()
	const at = (p) => (a.length ? a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)] : 0)
	return { n: a.length, p50: at(50), p95: at(95), p99: at(99), max: a.length ? a[a.length - 1] : 0 }
}

async function main() {
	const users = []
	for (let i = 0; i < clientsN; i++) users.push(new LoadUser(i))
	// connect at most 32 at a time
	let next = 0
	const connectDeadline = Date.now() + CONNECT_TIMEOUT_MS
	async function lane() {
		while (next < users.length && Date.now() < connectDeadline) {
			const u = users[next++]
			await Promise.race([u.open(), sleep(CONNECT_TIMEOUT_MS).then(() => Promise.reject(new Error('timeout')))]).catch(
				(e) => (u.error = e)
			)
		}
	}
	await Promise.all(Array.from({ length: 32 }, lane))
	const live = users.filter((u) => u.connected)
	if (live.length < users.length) console.error(`load-generator.mjs: ${users.length - live.length} clients failed to connect: ${users.find((u) => !u.connected)?.error}`)
	const perRoom = new Map()
	for (const u of live) perRoom.set(u.room, (perRoom.get(u.room) ?? 0) + 1)
	for (const u of live) u.peers = perRoom.get(u.room) - 1

	// drive: a synthetic change round-robin at the offered rate, or a tldraw frame per user every 33 ms
	const t0 = performance.now()
	let offered = 0
	let rr = 0
	let cpuStart = -1
	let selfStart = -1
	let machineStart = -1
	let rssMax = -1
	let nextPing = t0 + 5000
	let nextRss = t0
	await new Promise((resolve) => {
		const timer = setInterval(() => {
			const now = performance.now()
			if (now >= windowEnd) {
				clearInterval(timer)
				resolve()
				return
			}
			if (cpuStart < 0 && now >= windowStart) {
				cpuStart = cpuSeconds(serverPid)
				selfStart = selfCpu()
				machineStart = machineBusySeconds()
			}
			const due = workload === 'tldraw' ? Math.floor(((now - t0) / FRAME_MS) * live.length) - offered : Math.floor(((now - t0) * rate) / 1000) - offered
			for (let k = 0; k < due && live.length; k++) {
				const u = live[rr]
				rr = (rr + 1) % live.length
				if (workload === 'tldraw') u.tick()
				else u.change()
				if (inWindow(now)) m.offered++
			}
			offered += Math.max(0, due)
			if (now >= nextRss) {
				nextRss += 1000
				rssMax = Math.max(rssMax, rssMb(serverPid))
			}
			if (now >= nextPing) nextPing += 5000 // TLSyncClient pings by itself
		}, 4)
	})
	const cpuEnd = cpuSeconds(serverPid)
	const selfEnd = selfCpu()
	const machineEnd = machineBusySeconds()
	rssMax = Math.max(rssMax, rssMb(serverPid))
	const drainUntil = Date.now() + drainMs
	while (Date.now() < drainUntil && live.some((u) => [...u.sentAt.values()].some(inWindow))) await sleep(10)
	m.stopping = true
	const seconds = durationMs / 1000
	const serverCpu = cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart
	const generatorCpu = selfEnd - selfStart
	const line = {
		label,
		url: base.replace(/^ws/, 'http'),
		workload,
		generator: 'tldraw',
		clients: clientsN,
		connected: live.length,
		rooms: roomsN,
		durationS: seconds,
		warmupS: warmupMs / 1000,
		connectMs: percentiles(m.connect),
		offeredOpsPerSec: m.offered / seconds,
		sentOps: m.sent,
		skippedOps: 0,
		committedOps: m.committed,
		discardedOps: m.discarded,
		committedOpsPerSec: m.committed / seconds,
		commitMs: percentiles(m.commit),
		fanoutMs: percentiles(m.fanout),
		deliveryMs: percentiles(m.delivery),
		incompleteFanouts: fanouts.size,
		deliveriesPerSec: m.deliveries / seconds,
		framesPerSec: m.frames / seconds,
		closedEarly: m.closedEarly,
		serverPid,
		serverCpuS: serverCpu,
		serverCpuUsPerOp: serverCpu < 0 || m.committed === 0 ? -1 : (serverCpu * 1e6) / m.committed,
		serverJitCpuS: -1,
		serverRssMaxMb: rssMax,
		generatorCpuS: generatorCpu,
		otherCpuS: machineStart < 0 || serverCpu < 0 ? -1 : machineEnd - machineStart - serverCpu - generatorCpu,
	}
	process.stdout.write(JSON.stringify(line) + '\n')
	for (const u of users) u.close()
	setTimeout(() => process.exit(0), 200).unref()
}

main().catch((e) => {
	console.error(`load-generator.mjs: ${e.stack ?? e}`)
	process.exit(1)
})
