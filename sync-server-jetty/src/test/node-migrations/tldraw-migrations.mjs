// What tldraw 5.4.2's own server makes of rooms written by older tldraw releases, and what it tells
// older clients, for TldrawMigrationIT to compare Tandem against.
//
//   node tldraw-migrations.mjs <out.json>
//
// Writes {rooms: [{release, snapshot, migrated}], current,
//         clients: [{release, schema, push, messages, close, records}]}:
//  - rooms: a RoomSnapshot built under each older release (records.mjs) and the documents a 5.4.2
//    TLSocketRoom holds after loading it (its own migration of the snapshot);
//  - current: a snapshot of 5.4.2 records;
//  - clients: what a 5.4.2 TLSocketRoom over `current` sends a client that connects with each release's
//    serialized schema (the raw protocol connect message): frames, and the close code and reason; a
//    client it accepts then pushes a shape and a patch in its own form, and the room's records after
//    that push are included.
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

/**
 * Connects a fake socket with `schema` to a fresh 5.4.2 room over `current`; if connected, sends `push`
 * (when given) and waits for its result. Resolves with every frame the room sent, how it closed, and
 * the room's records afterwards.
 */
async function connect(schema, push) {
	const room = new TLSocketRoom({ initialSnapshot: current, log: quiet })
	const messages = []
	let waiter = null
	let close = null
	const wake = () => {
		if (waiter && waiter.done()) {
			const w = waiter
			waiter = null
			w.resolve()
		}
	}
	const until = (done) =>
		new Promise((resolve) => {
			waiter = { done, resolve }
			wake()
		})
	const socket = {
		readyState: 1,
		send(data) {
			const m = JSON.parse(data)
			// a data frame carries a batch of messages
			messages.push(...(m.type === 'data' ? m.data : [m]))
			wake()
		},
		close(code, reason) {
			socket.readyState = 3
			close = { code, reason }
			wake()
		},
	}
	room.handleSocketConnect({ sessionId: 'old-client', socket })
	const send = (m) => room.handleSocketMessage('old-client', JSON.stringify(m))
	send({ type: 'connect', connectRequestId: 'connect-1', lastServerClock: -1, protocolVersion: 8, schema })
	await until(() => close || messages.some((m) => m.type === 'connect'))
	if (!close && push) {
		send(push)
		await until(() => close || messages.some((m) => m.type === 'push_result'))
	}
	const closed = close
	const records = room.getCurrentSnapshot().documents.map((d) => d.state)
	room.close()
	return { messages, close: closed, records }
}

/** A push an older client makes: a new shape in its own (older) form and a patch to a stored note. */
function pushFrom(release) {
	const { records } = buildRecords(release)
	const geo = structuredClone(records.find((r) => r.type === 'geo'))
	geo.id = 'shape:pushed'
	geo.index = 'a9V'
	geo.x = 333.5
	const note = current.documents.map((d) => d.state).find((r) => r.type === 'note')
	const editor = 'textFirstEditedBy' in records.find((r) => r.type === 'note').props
		? 'textFirstEditedBy'
		: 'textLastEditedBy'
	return {
		type: 'push',
		clientClock: 1,
		diff: {
			[geo.id]: ['put', geo],
			[note.id]: ['patch', { props: ['patch', { [editor]: ['put', 'user:bob'], color: ['put', 'red'] }] }],
		},
	}
}

const clients = []
for (const release of [...OLDER, '5.4.2']) {
	const { schema } = buildRecords(release)
	const push = pushFrom(release)
	clients.push({ release, schema, push, ...(await connect(schema, push)) })
}

writeFileSync(out, JSON.stringify({ rooms, current, clients }) + '\n')
console.log(`wrote ${rooms.length} rooms and ${clients.length} clients to ${out}`)
