// Writes before/after pairs of every tldraw 5.4.2 record migration step, computed by tldraw's own
// migrations from records written by older releases (see records.mjs). Tandem's unit tests replay them
// against its Java migrations.
//
//   node step-fixtures.mjs <out.json>
import { writeFileSync } from 'node:fs'
import { buildRecords, tlschema } from './records.mjs'

const out = process.argv[2]
if (!out) throw new Error('usage: node step-fixtures.mjs <out.json>')

const tl = tlschema('5.4.2')
const schema = tl.createTLSchema()
const steps = []
const seen = new Set()

function run(m, direction, before) {
	const copy = structuredClone(before)
	const fn = direction === 'up' ? m.up : m.down
	const result = fn(copy) ?? copy
	const after = JSON.parse(JSON.stringify(result))
	const key = JSON.stringify([m.id, direction, before])
	if (!seen.has(key)) {
		seen.add(key)
		// FixIndexKeys draws random digits for an index ending in 0: the test checks their pattern
		const index = before.index ?? ''
		const randomIndex =
			m.id === 'com.tldraw.store/5' && direction === 'up' && index.endsWith('0') && index !== 'a0'
		steps.push({ id: m.id, direction, before, after, ...(randomIndex ? { randomIndex: true } : {}) })
	}
	return after
}

function migrationsSince(serialized) {
	const result = schema.getMigrationsSince(serialized)
	if (!result.ok) throw new Error(`no migrations from ${JSON.stringify(serialized)}`)
	return result.value
}

// Up through every step from each older release, and each step's down where tldraw has one.
for (const release of ['2.2.0', '3.0.0', '4.5.12', '5.0.0']) {
	const { schema: old, records } = buildRecords(release)
	const migrations = migrationsSince(old)
	for (const record of records) {
		let current = JSON.parse(JSON.stringify(record))
		for (const m of migrations) {
			if (m.scope !== 'record') throw new Error(`${m.id} is not record-scoped`)
			if (m.filter && !m.filter(current)) continue
			const after = run(m, 'up', current)
			if (typeof m.down === 'function') run(m, 'down', after)
			current = after
		}
	}
}

// Down from 5.4.2's own records (2D draw paths, flips, note editors, null presence camera) to 5.0.0 and
// 2.2.0, as far as tldraw has downs.
function presence(release) {
	const R = tlschema(release).InstancePresenceRecordType
	return JSON.parse(
		JSON.stringify(
			R.create({
				id: R.createId('alice'),
				currentPageId: 'page:page',
				userId: 'user:alice',
				userName: 'Alice',
			})
		)
	)
}
for (const target of ['5.0.0', '2.2.0']) {
	const { records } = buildRecords('5.4.2')
	const migrations = migrationsSince(buildRecords(target).schema).reverse()
	for (const record of [...records, presence('5.4.2')]) {
		let current = JSON.parse(JSON.stringify(record))
		for (const m of migrations) {
			if (m.filter && !m.filter(current)) continue
			if (typeof m.down !== 'function') break
			current = run(m, 'down', current)
		}
	}
}

// Presence records up from 2.2.0.
{
	let current = presence('2.2.0')
	for (const m of migrationsSince(buildRecords('2.2.0').schema)) {
		if (m.filter && !m.filter(current)) continue
		current = run(m, 'up', current)
	}
}

// Legacy float16 point strings, which the base64 steps decode before re-encoding.
{
	const legacy = tl.b64Vecs._legacyEncodePoints([
		{ x: 1, y: 2, z: 0.5 },
		{ x: 1.5, y: 2.25, z: 0.75 },
		{ x: -3.1, y: 100.7, z: 0.3 },
	])
	const byId = new Map(schema.sortedMigrations.map((m) => [m.id, m]))
	// float16 deltas at exact rounding ties (tldraw rounds half up), below float16's normal range, and
	// beyond its largest value
	const tie = 1 / 1024
	const ties = [
		{ x: 0, y: 0, z: 0.5 },
		{ x: 1 + tie / 2, y: 2 + tie, z: 0.5 + tie / 4 },
		{ x: 1 + tie / 2 - 3 * tie, y: -1e-6, z: 0.25 },
		{ x: 70000, y: -3e-8, z: 1 },
	]
	for (const id of ['com.tldraw.shape.draw/3', 'com.tldraw.shape.highlight/2']) {
		const m = schema.sortedMigrations.find((x) => x.id === id)
		run(m, 'up', {
			id: 'shape:ties',
			typeName: 'shape',
			type: id.includes('.draw/') ? 'draw' : 'highlight',
			x: 0,
			y: 0,
			rotation: 0,
			index: 'a1',
			parentId: 'page:page',
			isLocked: false,
			opacity: 1,
			meta: {},
			props: { color: 'black', size: 'm', segments: [{ type: 'free', points: ties }], scale: 1 },
		})
	}
	for (const [type, ids] of [
		['draw', ['com.tldraw.shape.draw/3', 'com.tldraw.shape.draw/4']],
		['highlight', ['com.tldraw.shape.highlight/2', 'com.tldraw.shape.highlight/3']],
	]) {
		for (const id of ids) {
			run(byId.get(id), 'up', {
				id: `shape:legacy-${type}`,
				typeName: 'shape',
				type,
				x: 0,
				y: 0,
				rotation: 0,
				index: 'a1',
				parentId: 'page:page',
				isLocked: false,
				opacity: 1,
				meta: {},
				props: { color: 'black', size: 'm', segments: [{ type: 'free', points: legacy }], scale: 1 },
			})
		}
	}
}

// Every step's shape: scope, whether it has a down, and whether its sequence is retroactive.
const migrations = schema.sortedMigrations.map((m) => {
	const sequenceId = m.id.slice(0, m.id.lastIndexOf('/'))
	return {
		id: m.id,
		scope: m.scope,
		down: typeof m.down === 'function',
		retroactive: schema.migrations[sequenceId].retroactive,
	}
})

writeFileSync(
	out,
	JSON.stringify({ tldraw: '5.4.2', schema: schema.serialize(), migrations, steps }, null, 1) + '\n'
)
console.error(`wrote ${steps.length} steps to ${out}`)
