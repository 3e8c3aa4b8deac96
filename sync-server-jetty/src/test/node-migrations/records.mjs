// Records of every default tldraw record, shape, binding and asset type, written the way a given tldraw
// release stores them: made by that release's own record types (shape props, which tldraw's editor
// fills, are given here, picked by the release's own migration versions) and checked with its own
// validators. Test data only: no tldraw source.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** The tldraw releases the harness builds rooms under, by npm alias (see package.json). */
export const RELEASES = {
	'2.2.0': 'tlschema-2',
	'3.0.0': 'tlschema-3',
	'4.5.12': 'tlschema-4',
	'5.0.0': 'tlschema-5.0',
	'5.4.2': '@tldraw/tlschema',
}

export function tlschema(release) {
	return require(RELEASES[release])
}

function doc(lines) {
	return {
		type: 'doc',
		content: lines.map((text) =>
			text ? { type: 'paragraph', content: [{ type: 'text', text }] } : { type: 'paragraph' }
		),
	}
}

// Points with fractions that float16 deltas cannot hold exactly, and pressures off 0 and 0.5.
const POINTS = [
	{ x: 0, y: 0, z: 0.5 },
	{ x: 3.3, y: 1.7, z: 0.52 },
	{ x: 10.125, y: -4.05, z: 0.61 },
	{ x: 27.9, y: 12.333, z: 0.7 },
	{ x: 1500.37, y: 33.1, z: 0.2 },
]

/** Returns `{schema, records}` for the release: its serialized schema and valid records. */
export function buildRecords(release) {
	const tl = tlschema(release)
	const schema = tl.createTLSchema()
	const serialized = schema.serialize()
	const v = (seq) => serialized.sequences[`com.tldraw.${seq}`] ?? 0
	const records = []
	const text = (lines, key = 'text') => (key === 'text' ? lines.join('\n') : doc(lines))
	let n = 0
	const shape = (type, props, extra = {}) => {
		n++
		records.push({
			id: `shape:${type}${n}`,
			typeName: 'shape',
			type,
			x: 10.5 * n,
			y: -3.25 * n,
			rotation: n === 3 ? 0.5 : 0,
			index: `a${n}V`,
			parentId: 'page:page',
			isLocked: false,
			opacity: n === 4 ? 0.5 : 1,
			meta: {},
			props,
			...extra,
		})
	}

	records.push({ id: 'document:document', typeName: 'document', gridSize: 10, name: 'Doc', meta: {} })
	records.push({ id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} })
	records.push({ id: 'page:two', typeName: 'page', name: 'Page 2', index: 'a2', meta: { k: 1 } })
	if (v('store') < 5) {
		// an index ending in 0, which store 5 (FixIndexKeys) replaces with random digits, where the
		// release's own validator accepts one (3.x does, 2.2.0 does not)
		const page = { id: 'page:three', typeName: 'page', name: 'Page 3', index: 'a30', meta: {} }
		try {
			schema.types.page.validate(page)
			records.push(page)
		} catch {
			// not valid in this release
		}
	}

	const segments = (dim) => {
		if (v('shape.draw') < 3) return [{ type: 'free', points: POINTS }]
		const seg = { type: 'free', path: tl.b64Vecs.encodePoints(POINTS) }
		if (dim === 2) return [{ type: 'free', path: tl.b64Vecs.encodePoints(POINTS, 2), dim: 2 }]
		return [seg, { type: 'straight', path: tl.b64Vecs.encodePoints(POINTS.slice(0, 2)) }]
	}
	const scale = (seq, version) => (v(seq) >= version ? { scale: 1 } : {})
	const richOrText = (seq, version, lines) =>
		v(seq) >= version ? { richText: doc(lines) } : { text: lines.join('\n') }

	shape('geo', {
		geo: 'rectangle',
		labelColor: 'black',
		color: 'black',
		fill: 'solid',
		dash: 'draw',
		size: 'm',
		font: 'draw',
		align: 'middle',
		verticalAlign: 'middle',
		url: '',
		w: 100.5,
		h: 80,
		growY: 0,
		...scale('shape.geo', 9),
		...richOrText('shape.geo', 10, ['hello', '', 'world']),
		...(v('shape.geo') >= 12 ? { flipX: true, flipY: false } : {}),
	})
	shape('arrow', {
		labelColor: 'black',
		color: 'blue',
		fill: 'none',
		dash: 'draw',
		size: 'm',
		arrowheadStart: 'none',
		arrowheadEnd: 'arrow',
		font: 'draw',
		start: { x: 0, y: 0 },
		end: { x: 120.5, y: 33.25 },
		bend: 0,
		labelPosition: 0.5,
		...scale('shape.arrow', 5),
		...richOrText('shape.arrow', 7, ['go', 'there']),
		...(v('shape.arrow') >= 6 ? { kind: 'arc', elbowMidPoint: 0.5 } : {}),
	})
	shape('bookmark', { w: 300, h: 320, assetId: 'asset:bookmark1', url: 'https://example.com/page' })
	shape('draw', {
		color: 'red',
		fill: 'none',
		dash: 'draw',
		size: 's',
		segments: segments(),
		isComplete: true,
		isClosed: false,
		isPen: true,
		...scale('shape.draw', 2),
		...(v('shape.draw') >= 3 ? { scaleX: 1, scaleY: 1.5 } : {}),
	})
	if (v('shape.draw') >= 5) {
		shape('draw', {
			color: 'green',
			fill: 'none',
			dash: 'solid',
			size: 'm',
			segments: segments(2),
			isComplete: true,
			isClosed: false,
			isPen: false,
			scale: 1,
			scaleX: 1,
			scaleY: 1,
		})
	}
	shape('embed', { w: 400, h: 300, url: 'https://www.youtube.com/watch?v=abc' })
	shape('frame', { w: 500, h: 400, name: 'Frame', ...(v('shape.frame') >= 1 ? { color: 'black' } : {}) })
	shape('group', {})
	shape('highlight', {
		color: 'yellow',
		size: 'l',
		segments: v('shape.highlight') >= 2 ? segments() : [{ type: 'free', points: POINTS }],
		isComplete: true,
		isPen: false,
		...scale('shape.highlight', 1),
		...(v('shape.highlight') >= 2 ? { scaleX: 2, scaleY: 1 } : {}),
	})
	if (v('shape.highlight') >= 4) {
		shape('highlight', {
			color: 'green',
			size: 'm',
			segments: segments(2),
			isComplete: false,
			isPen: false,
			scale: 1,
			scaleX: 1,
			scaleY: 1,
		})
	}
	shape('image', {
		w: 640,
		h: 480,
		playing: true,
		url: '',
		assetId: 'asset:image1',
		crop: { topLeft: { x: 0, y: 0 }, bottomRight: { x: 1, y: 0.75 } },
		...(v('shape.image') >= 4 ? { flipX: false, flipY: true } : {}),
		...(v('shape.image') >= 5 ? { altText: 'a cat' } : {}),
	})
	shape('line', {
		color: 'black',
		dash: 'dashed',
		size: 'm',
		spline: 'line',
		points: {
			a1: { id: 'a1', index: 'a1', x: 0, y: 0 },
			a2: { id: 'a2', index: 'a2', x: 50.5, y: 20 },
			a3: { id: 'a3', index: 'a3', x: 90, y: -7.5 },
		},
		...scale('shape.line', 5),
	})
	shape('note', {
		color: 'yellow',
		size: 'm',
		font: 'draw',
		fontSizeAdjustment: v('shape.note') >= 12 ? 1 : 0,
		align: 'middle',
		verticalAlign: 'middle',
		growY: 0,
		url: '',
		...scale('shape.note', 7),
		...(v('shape.note') >= 8 ? { labelColor: 'black' } : {}),
		...richOrText('shape.note', 9, ['note', '']),
		...(v('shape.note') >= 11 && v('shape.note') < 13 ? { textFirstEditedBy: null } : {}),
		...(v('shape.note') >= 13 ? { textLastEditedBy: 'user:alice' } : {}),
	})
	shape('text', {
		color: 'black',
		size: 'm',
		font: 'sans',
		textAlign: 'start',
		w: 200,
		scale: 1,
		autoSize: true,
		...richOrText('shape.text', 3, ['first line', 'second']),
	})
	shape('video', {
		w: 320,
		h: 240,
		time: 0,
		playing: false,
		url: '',
		assetId: 'asset:video1',
		...(v('shape.video') >= 3 ? { altText: '' } : {}),
		...(v('shape.video') >= 4 ? { autoplay: false } : {}),
	})

	records.push({
		id: 'binding:arrow1',
		typeName: 'binding',
		type: 'arrow',
		fromId: 'shape:arrow2',
		toId: 'shape:geo1',
		props: {
			terminal: 'end',
			normalizedAnchor: { x: 0.5, y: 0.25 },
			isExact: false,
			isPrecise: true,
			...(v('binding.arrow') >= 1 ? { snap: 'none' } : {}),
		},
		meta: {},
	})

	const media = (type, id, extra) => ({
		id,
		typeName: 'asset',
		type,
		props: {
			name: `${type}.bin`,
			src: `https://example.com/${type}.bin`,
			w: 640,
			h: 480,
			mimeType: type === 'image' ? 'image/png' : 'video/mp4',
			isAnimated: false,
			...extra,
		},
		meta: {},
	})
	const fileSize = (type, size) =>
		v(`asset.${type}`) >= 5 ? (size ? { fileSize: size } : {}) : v(`asset.${type}`) >= 4 ? { fileSize: size ?? -1 } : {}
	records.push(media('image', 'asset:image1', fileSize('image', 12345)))
	records.push(
		media('image', 'asset:image2', { ...fileSize('image'), ...(v('asset.image') >= 6 ? { pixelRatio: 2 } : {}) })
	)
	records.push(media('video', 'asset:video1', fileSize('video')))
	records.push({
		id: 'asset:bookmark1',
		typeName: 'asset',
		type: 'bookmark',
		props: {
			title: 'Example',
			description: 'A page',
			image: '',
			favicon: 'https://example.com/favicon.ico',
			src: 'https://example.com/page',
		},
		meta: {},
	})
	if (v('user') >= 1) {
		records.push({
			id: 'user:alice',
			typeName: 'user',
			name: 'Alice',
			color: '#ff0000',
			imageUrl: '',
			meta: {},
		})
	}

	// made by the release's own record types (their defaults fill anything not given), then validated
	const made = records.map(({ typeName, ...properties }) => {
		const record = JSON.parse(JSON.stringify(schema.types[typeName].create(properties)))
		schema.types[typeName].validate(record)
		return record
	})
	return { schema: serialized, records: made }
}
