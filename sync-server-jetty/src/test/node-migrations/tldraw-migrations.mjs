// What tldraw 5.4.2's own server makes of rooms written by older tldraw releases, and what it tells
// older clients, for TldrawMigrationIT to compare Tandem against.
//
//   node tldraw-migrations.mjs <out.json>
//
// Writes {rooms: [{release, snapshot, migrated}], current, clients: [{release, schema, messages, close}]}:
//  - rooms: a RoomSnapshot built under each older release (records.mjs) and the documents a 5.4.2
//    TLSocketRoom holds after loading it (its own migration of the snapshot);
//  - current: a snapshot of 5.4.2 records;
//  - clients: what a 5.4.2 TLSocketRoom over `current` sends a client that connects with each release's
//    serialized schema (the raw protocol connect message): frames, and the close code and reason.
import { writeFileSync } from 'node:fs'
import { TLSocketRoom } from '@tldraw/sync-core'
import { buildRecords } from './records.mjs'

const out = process.argv[2]
if (!out) throw new Error('usage: node tldraw-migrations.mjs <out.json>')

const OLDER = ['2.2.0', '3.0.0', '4.5.12', '5.0.0']
const quiet = { warn: () => {}, error: () => {} }

function snapshotOf(release) {
	const { schema, records } = buildRecords(release)
	return {
		documentClock: 12,
		tombstoneHistoryStartsAtClock: 0,
		documents: records.map((state, i) => ({ state, lastChangedClock: (i % 5) + 1 })),
		tombstones: {},
		schema,
	}
}

const rooms = OLDER.map((release) => {
	const snapshot = snapshotOf(release)
	const room = new TLSocketRoom({ initialSnapshot: snapshot, log: quiet })
	const migrated = room.getCurrentSnapshot()
	room.close()
	return { release, snapshot, migrated: migrated.documents.map((d) => d.state) }
})

const current = snapshotOf('5.4.2')

/** Connects a fake socket with `schema` and resolves with what the room sent and how it closed. */
function connect(schema) {
	const room = new TLSocketRoom({ initialSnapshot: current, log: quiet })
	const messages = []
	return new Promise((resolve) => {
		let done = false
		const finish = (close) => {
			if (done) return
			done = true
			resolve({ messages, close })
			room.close()
		}
		const socket = {
			readyState: 1,
			send(data) {
				for (const m of [JSON.parse(data)].flat()) messages.push(m)
				if (messages.some((m) => m.type === 'connect')) finish(null)
			},
			close(code, reason) {
				socket.readyState = 3
				finish({ code, reason })
			},
		}
		room.handleSocketConnect({ sessionId: 'old-client', socket })
		room.handleSocketMessage(
			'old-client',
			JSON.stringify({
				type: 'connect',
				connectRequestId: 'connect-1',
				lastServerClock: -1,
				protocolVersion: 8,
				schema,
			})
		)
	})
}

const clients = []
for (const release of [...OLDER, '5.4.2']) {
	const { schema } = buildRecords(release)
	clients.push({ release, schema, ...(await connect(schema)) })
}

writeFileSync(out, JSON.stringify({ rooms, current, clients }) + '\n')
console.log(`wrote ${rooms.length} rooms and ${clients.length} clients to ${out}`)
