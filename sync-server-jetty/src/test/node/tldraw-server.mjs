// A minimal sync server built on tldraw's own TLSocketRoom, with the same routes as Tandem's Jetty
// server, so the interop harness can be checked against the reference implementation (and used as a
// benchmark peer).
//
//   node tldraw-server.mjs [port]        (default 8788; 0 picks a free port)
//
// Prints one line `listening <port>` on stdout once it accepts connections. Under `node --expose-gc`,
// GET /debug/heap collects garbage and answers `{"heapUsed": bytes}` (sync-bench's RoomSize uses it).
//
// Routes: /connect/:room and /r/:room (read-write), /ro/:room (read-only). Query: sessionId, storeId.
import http from 'node:http'
import { randomUUID } from 'node:crypto'
import { WebSocketServer } from 'ws'
import { TLSocketRoom } from '@tldraw/sync-core'

const port = Number(process.argv[2] ?? 8788)
const rooms = new Map()

function roomFor(roomId) {
	let room = rooms.get(roomId)
	if (!room || room.isClosed()) {
		room = new TLSocketRoom({
			log: { warn: () => {}, error: () => {} },
			onSessionRemoved(r, { numSessionsRemaining }) {
				if (numSessionsRemaining === 0) {
					r.close()
					rooms.delete(roomId)
				}
			},
		})
		rooms.set(roomId, room)
	}
	return room
}

const ROUTE = /^\/(connect|r|ro)\/([A-Za-z0-9._~-]{1,128})$/

function parse(req) {
	const url = new URL(req.url, 'http://localhost')
	const m = ROUTE.exec(url.pathname)
	if (!m) return null
	return {
		roomId: m[2],
		isReadonly: m[1] === 'ro',
		sessionId: url.searchParams.get('sessionId') || randomUUID(),
	}
}

function jsonError(res, status, error, message) {
	res.writeHead(status, { 'content-type': 'application/json' })
	res.end(JSON.stringify({ error, message }))
}

const server = http.createServer((req, res) => {
	// benchmark hook, only when node runs with --expose-gc: live heap after a full collection
	if (req.url === '/debug/heap' && typeof global.gc === 'function') {
		global.gc()
		res.writeHead(200, { 'content-type': 'application/json' })
		res.end(JSON.stringify({ heapUsed: process.memoryUsage().heapUsed }))
		return
	}
	if (parse(req)) jsonError(res, 400, 'UPGRADE_REQUIRED', 'this route only accepts WebSocket upgrades')
	else jsonError(res, 404, 'NOT_FOUND', 'no such route')
})

const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })

server.on('upgrade', (req, socket, head) => {
	const route = parse(req)
	if (!route) {
		socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
		return
	}
	wss.handleUpgrade(req, socket, head, (ws) => {
		roomFor(route.roomId).handleSocketConnect({
			sessionId: route.sessionId,
			socket: ws,
			isReadonly: route.isReadonly,
		})
	})
})

server.listen(port, '127.0.0.1', () => {
	console.log(`listening ${server.address().port}`)
})

function shutdown() {
	for (const room of rooms.values()) room.close()
	wss.close()
	server.close(() => process.exit(0))
	setTimeout(() => process.exit(0), 1000).unref()
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
