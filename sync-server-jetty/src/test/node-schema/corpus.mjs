// Builds the validation corpus: tldraw editor records (editor-records.json) plus deterministic mutations of
// them, each with the verdict of tldraw's own validators (@tldraw/tlschema 5.4.2, createTLSchema()), as
// TLSocketRoom applies them to a record that enters a room.
//
//   node corpus.mjs <out.jsonl> [seed] [node_modules dir]
//
// The first output line is {"schema": createTLSchema().serialize(), "scopes": {typeName: scope}}; each other
// line: {"name": what was done, "json": the record's JSON text, "valid": tldraw's verdict,
// "message": tldraw's error message or null}. The JSON text is what a client would send; a few records hold
// numbers JSON.parse reads as ±Infinity (1e400), which JSON.stringify cannot write.
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const [outPath, seedArg, modulesArg] = process.argv.slice(2)
if (!outPath) {
  console.error('usage: node corpus.mjs <out.jsonl> [seed] [node_modules dir]')
  process.exit(2)
}
const modules = resolve(modulesArg ?? join(here, '..', 'node', 'node_modules'))
const require = createRequire(join(modules, 'noop.js'))
const { createTLSchema } = require('@tldraw/tlschema')
const tlVersion = JSON.parse(readFileSync(join(modules, '@tldraw', 'tlschema', 'package.json'), 'utf8')).version
if (tlVersion !== '5.4.2') throw new Error(`expected @tldraw/tlschema 5.4.2 but found ${tlVersion}`)

const schema = createTLSchema()
const seed = Number(seedArg ?? 20261204)

// mulberry32: a small seeded PRNG, so the corpus is the same on every run with the same seed
let state = seed >>> 0
function random() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (arr) => arr[Math.floor(random() * arr.length)]

// tldraw's verdict, as TLSocketRoom reaches it: parse the client's JSON, find the record type (session-scope
// types are not room types), run its validator
function verdict(jsonText) {
  const record = JSON.parse(jsonText)
  const type = record && typeof record === 'object' ? schema.types[record.typeName] : undefined
  if (!type || !Object.prototype.hasOwnProperty.call(schema.types, record.typeName) || type.scope === 'session') {
    return { valid: false, message: `unknown record type ${JSON.stringify(record?.typeName)}` }
  }
  try {
    type.validate(record)
    return { valid: true, message: null }
  } catch (e) {
    return { valid: false, message: e.message }
  }
}

const INF = '__TANDEM_CORPUS_INFINITY__'
const NEG_INF = '__TANDEM_CORPUS_NEG_INFINITY__'
const NEG_ZERO = '__TANDEM_CORPUS_NEG_ZERO__'
function toJson(record) {
  return JSON.stringify(record).replaceAll(`"${INF}"`, '1e400').replaceAll(`"${NEG_INF}"`, '-1e400').replaceAll(`"${NEG_ZERO}"`, '-0')
}

const clone = (x) => JSON.parse(JSON.stringify(x))
function get(obj, path) {
  return path.reduce((o, k) => (o == null ? undefined : o[k]), obj)
}
function set(obj, path, value) {
  const parent = get(obj, path.slice(0, -1))
  parent[path[path.length - 1]] = value
}
function del(obj, path) {
  const parent = get(obj, path.slice(0, -1))
  if (Array.isArray(parent)) parent.splice(path[path.length - 1], 1)
  else delete parent[path[path.length - 1]]
}
// every path in the record, with its value
function paths(value, prefix = [], out = []) {
  if (prefix.length) out.push({ path: prefix, value })
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) paths(value[k], [...prefix, Array.isArray(value) ? Number(k) : k], out)
  }
  return out
}
const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
const samples = {
  string: ['', 'x', 'shape:abc', 'page:p'],
  number: [0, -5, 1.5, 1e21],
  boolean: [true, false],
  null: [null],
  array: [[], [1], ['a']],
  object: [{}, { a: 1 }],
}

const seeds = JSON.parse(readFileSync(join(here, 'editor-records.json'), 'utf8'))
const cases = []
const add = (name, record) => cases.push({ name, json: toJson(record) })
const kindOf = (r) => r.typeName + (r.type ? `:${r.type}` : '')

for (const r of seeds) {
  const kind = kindOf(r)
  add(`${kind} as the editor made it`, r)
  const all = paths(r)
  const leaves = all.filter((p) => typeOf(p.value) !== 'object' && typeOf(p.value) !== 'array')
  const objects = [{ path: [], value: r }, ...all.filter((p) => typeOf(p.value) === 'object')]

  // wrong types
  for (let i = 0; i < 4; i++) {
    const { path, value } = pick(all)
    const other = pick(Object.keys(samples).filter((t) => t !== typeOf(value)))
    const m = clone(r)
    set(m, path, pick(samples[other]))
    add(`${kind}: ${path.join('.')} becomes ${other}`, m)
  }
  // missing properties
  for (let i = 0; i < 3; i++) {
    const { path } = pick(all)
    const m = clone(r)
    del(m, path)
    add(`${kind}: ${path.join('.')} removed`, m)
  }
  // extra properties
  for (let i = 0; i < 2; i++) {
    const { path } = pick(objects)
    const m = clone(r)
    set(m, [...path, pick(['extra', 'opacity', 'z', 'type', 'isCircle'])], pick([1, 'x', null, true]))
    add(`${kind}: property added under ${path.join('.') || '(record)'}`, m)
  }
  // numbers: edges, and non-finite ones
  const numbers = leaves.filter((p) => typeof p.value === 'number')
  for (let i = 0; i < Math.min(4, numbers.length); i++) {
    const { path } = pick(numbers)
    const m = clone(r)
    const v = pick([0, -1, -0.5, 0.5, 1, 2, 1e300, -1e-300, 9007199254740993, INF, NEG_INF, INF, NEG_ZERO])
    set(m, path, v)
    const shown = { [INF]: '1e400', [NEG_INF]: '-1e400', [NEG_ZERO]: '-0' }[v] ?? v
    add(`${kind}: ${path.join('.')} = ${shown}`, m)
  }
  // strings: enums, ids, urls, index keys
  const strings = leaves.filter((p) => typeof p.value === 'string')
  for (let i = 0; i < Math.min(4, strings.length); i++) {
    const { path, value } = pick(strings)
    const m = clone(r)
    const v = pick([
      'bogus', value.toUpperCase(), `${value} `, '', 'page:x', 'shape:y', 'asset:z', 'a1', 'a0', 'A', 'javascript:alert(1)',
      'https://example.com/a?b=c#d', 'http://', '/relative/path', 'mailto:someone@example.com', 'data:image/png;base64,AAAA',
      'asset:abc', 'ftp://example.com', 'http://exa mple.com', 'https://example.com:99999', 'not a url', 'http://1.2.3.256',
    ])
    set(m, path, v)
    add(`${kind}: ${path.join('.')} = ${JSON.stringify(v)}`, m)
  }
}

// targeted cases for the base record checks, on one seed of each kind
const firstOf = (pred) => seeds.find(pred)
const kinds = [...new Set(seeds.map(kindOf))]
for (const kind of kinds) {
  const r = firstOf((s) => kindOf(s) === kind)
  if ('index' in r) {
    for (const index of ['a1', 'a0', 'a1V', 'Zz', 'b0z', 'b00', 'a', '', 'a10', 'A00000000000000000000000000', 'zzzzzzzzzzzzzzzzzzzzzzzzzzz', '!a', 'a1 ', 'b12', 5]) {
      const m = clone(r)
      m.index = index
      add(`${kind}: index ${JSON.stringify(index)}`, m)
    }
  }
  for (const id of [`${r.typeName}:other`, 'other:1', r.typeName, `${r.typeName.toUpperCase()}:1`, '', 7]) {
    const m = clone(r)
    m.id = id
    add(`${kind}: id ${JSON.stringify(id)}`, m)
  }
  if ('parentId' in r) {
    for (const parentId of ['page:page', 'shape:geo1', 'document:document', 'page', 'Page:1', null]) {
      const m = clone(r)
      m.parentId = parentId
      add(`${kind}: parentId ${JSON.stringify(parentId)}`, m)
    }
  }
  for (const meta of [{}, { note: 'x', n: [1, { a: null }] }, 'text', 3, null, [], INF]) {
    const m = clone(r)
    m.meta = meta
    add(`${kind}: meta ${meta === INF ? '1e400' : JSON.stringify(meta)}`, m)
  }
  {
    const m = clone(r)
    delete m.meta
    add(`${kind}: meta removed`, m)
  }
  for (const typeName of ['instance', 'camera', 'pointer', 'instance_page_state', 'store', 'comment', 'Shape', '']) {
    const m = clone(r)
    m.typeName = typeName
    add(`${kind}: typeName ${JSON.stringify(typeName)}`, m)
  }
  if ('type' in r) {
    for (const type of ['custom', r.type.toUpperCase(), '', null, 3]) {
      const m = clone(r)
      m.type = type
      add(`${kind}: type ${JSON.stringify(type)}`, m)
    }
  }
  if ('opacity' in r) {
    for (const opacity of [0, 1, 0.25, 1.01, -0.01, '1', INF, NEG_ZERO]) {
      const m = clone(r)
      m.opacity = opacity
      add(`${kind}: opacity ${opacity === INF ? '1e400' : opacity === NEG_ZERO ? '-0' : JSON.stringify(opacity)}`, m)
    }
  }
}

// URLs: every URL-like property of one record of each kind, through the URL forms tldraw's validators meet
const urlSamples = [
  '', 'https://tldraw.com', 'http://example.com/a b', 'HTTPS://EXAMPLE.COM/X', 'https://例え.jp/パス', 'mailto:a@b.c',
  'data:image/png;base64,AAAA', 'asset:abc', 'asset://abc', 'ftp://example.com/f', 'file:///etc/passwd', 'javascript:alert(1)',
  'about:blank', 'blob:https://example.com/uuid', 'http://', 'https://', 'http:example.com', 'http:/example.com',
  'https://example.com:8080/p', 'https://example.com:65536', 'https://user:pw@example.com', 'https://@example.com',
  'http://exa mple.com', 'http://exa%20mple.com', 'http://[::1]:3000/', 'http://[::1', 'http://1.2.3.4', 'http://1.2.3.256',
  'http://0x7f.1', 'http://example.123', 'http://999999999999', '/relative', './relative', '../up', '//cdn.example.com/x.png',
  '///triple', 'relative/path', 'www.example.com', ' https://padded.example.com ', 'ht tp://x', '1http://x', 'a+b.c-d:opaque',
  'http://xn--a.com', 'http://xn--ls8h.la', 'http://XN--LS8H.la', 'http://xn--.com', 'http://a.xn--bcher-kva.de', 'http://xn--zz',
  'http://a..b', 'http://.a', 'http://a_b.com', 'https://exa\tmple.com', 'http://ab.c\n', 'http://a.0x1g', 'http://a.1b',
]
const urlKeys = new Set(['url', 'src', 'favicon', 'image', 'imageUrl'])
for (const kind of kinds) {
  const r = firstOf((s) => kindOf(s) === kind)
  for (const { path, value } of paths(r)) {
    if (!urlKeys.has(path[path.length - 1]) || typeof value !== 'string') continue
    for (const u of urlSamples) {
      const m = clone(r)
      set(m, path, u)
      add(`${kind}: ${path.join('.')} = ${JSON.stringify(u)}`, m)
    }
  }
}

// seeded random URLs, built from pieces, through T.linkUrl (a geo shape's url) and T.srcUrl (an image asset's src)
{
  const schemes = ['http', 'http', 'https', 'https', 'https', 'HTTPS', 'mailto', 'data', 'asset', 'ftp', 'file', 'javascript', 'h1', 'x-y', '', '1a']
  const separators = [':', '://', '://', '://', '://', ':/', ':///', ':\\\\', '//', '/', './', '../', ' ']
  const hosts = [
    'example.com', 'a', '1.2.3.4', '256.1.1.1', '0x7f.0.0.1', '1.2.3', '4294967295', '4294967296', '[::1]', '[::1', '[x]',
    'ex ample.com', '例え.jp', 'xn--ls8h', 'xn--a', 'a..b', '', '@', 'u:p@h.com', 'h.com:80', 'h.com:99999', 'h.com:x',
    '%41.com', '%zz.com', 'a%20b.com', 'a<b', 'a^b', 'a|b', 'A.COM', 'a.b.',
  ]
  const tails = ['', '/', '/p?q=1#f', '?q', '#f', '/a b', '\\\\back', ':8080/x']
  const geo = firstOf((s) => kindOf(s) === 'shape:geo')
  const image = firstOf((s) => kindOf(s) === 'asset:image')
  for (let i = 0; i < 150; i++) {
    const url = pick(schemes) + pick(separators) + pick(hosts) + pick(tails)
    const m = clone(random() < 0.5 ? geo : image)
    if (m.typeName === 'shape') m.props.url = url
    else m.props.src = url
    add(`${kindOf(m)}: random url ${JSON.stringify(url)}`, m)
  }
}

// -0 where the sign matters: tldraw reads it as -0, Tandem as 0
for (const [kind, path] of [['shape:geo', ['props', 'w']], ['shape:geo', ['props', 'growY']], ['shape:draw', ['props', 'scaleX']],
  ['asset:image', ['props', 'fileSize']], ['asset:image', ['props', 'pixelRatio']], ['shape:note', ['props', 'fontSizeAdjustment']]]) {
  const m = clone(firstOf((s) => kindOf(s) === kind))
  set(m, path, NEG_ZERO)
  add(`${kind}: ${path.join('.')} = -0`, m)
}

// parts whose validators the random mutations rarely reach
const richTexts = [
  { type: 'doc', content: [] }, { type: 'doc' }, { type: 'doc', content: [{ type: 'paragraph' }], attrs: { dir: 'rtl' } },
  { type: 'doc', content: [1, null, 'x'], attrs: null }, { type: 3, content: [] }, { type: 'doc', content: {} },
  { type: 'doc', content: [], extra: 1 }, 'plain text',
]
for (const kind of ['shape:geo', 'shape:note', 'shape:text', 'shape:arrow']) {
  const r = firstOf((s) => kindOf(s) === kind)
  for (const rt of richTexts) {
    const m = clone(r)
    m.props.richText = rt
    add(`${kind}: richText ${JSON.stringify(rt)}`, m)
  }
}
{
  const r = firstOf((s) => kindOf(s) === 'shape:line')
  const [firstKey] = Object.keys(r.props.points)
  const variants = [
    (p) => { p.other = { id: 'other', index: 'a9', x: 1, y: 2 } },
    (p) => { p[firstKey].index = 'a10' },
    (p) => { p[firstKey].z = 0 },
    (p) => { delete p[firstKey].id },
    (p) => { p[firstKey] = null },
    (p) => { for (const k of Object.keys(p)) delete p[k] },
  ]
  variants.forEach((f, i) => { const m = clone(r); f(m.props.points); add(`shape:line: points variant ${i}`, m) })
  for (const points of [[], [{ id: 'a', index: 'a1', x: 0, y: 0 }], 'x', null]) {
    const m = clone(r)
    m.props.points = points
    add(`shape:line: points ${JSON.stringify(points)}`, m)
  }
}
{
  const r = firstOf((s) => kindOf(s) === 'shape:image' && s.props.crop)
  for (const crop of [null, { topLeft: { x: 0, y: 0 }, bottomRight: { x: 1, y: 1 }, isCircle: true },
    { topLeft: { x: 0, y: 0 }, bottomRight: { x: 1, y: 1 }, isCircle: 'yes' }, { topLeft: { x: 0, y: 0 } },
    { topLeft: { x: 0, y: 0, z: 1 }, bottomRight: { x: 1, y: 1 } }]) {
    const m = clone(r)
    m.props.crop = crop
    add(`shape:image: crop ${JSON.stringify(crop)}`, m)
  }
}
{
  const r = firstOf((s) => s.typeName === 'instance_presence')
  const variants = {
    cursor: [null, { x: 1, y: 2, type: 'grab', rotation: 0 }, { x: 1, y: 2, type: 'hand', rotation: 0 }, { x: 1, y: 2, type: 'grab' }],
    followingUserId: [null, 'user:x', 'peer:x'],
    lastActivityTimestamp: [null, 1733300000000, '1'],
    selectedShapeIds: [[], ['shape:a', 'shape:b'], ['page:a'], 'shape:a'],
    scribbles: [[], [{ id: 's', points: [{ x: 0, y: 0, z: 0.5 }], size: 4, color: 'laser', opacity: 0.8, state: 'active', delay: 0, shrink: 0.1, taper: true }],
      [{ id: 's', points: [], size: -1, color: 'laser', opacity: 1, state: 'active', delay: 0, shrink: 0, taper: false }],
      [{ id: 's', points: [], size: 1, color: 'red', opacity: 1, state: 'active', delay: 0, shrink: 0, taper: false }]],
    camera: [null, { x: 0, y: 0, z: 1 }, { x: 0, y: 0 }],
    screenBounds: [null, { x: 0, y: 0, w: 10, h: 10 }, { x: 0, y: 0, w: 10 }],
    brush: [null, { x: 0, y: 0, w: -10, h: 10 }],
    currentPageId: ['page:x', 'shape:x'],
    chatMessage: ['hi', null],
  }
  for (const [key, values] of Object.entries(variants)) {
    for (const v of values) {
      const m = clone(r)
      m[key] = v
      add(`instance_presence: ${key} = ${JSON.stringify(v)}`, m)
    }
  }
}
{
  for (const [kind, key, values] of [
    ['asset:image', 'fileSize', [undefined, 1, 0, -1, 2.5]],
    ['asset:image', 'pixelRatio', [undefined, 0, 2, -1]],
    ['asset:image', 'mimeType', [null, 'image/png', 3]],
    ['asset:video', 'fileSize', [undefined, 0, -1]],
    ['asset:bookmark', 'favicon', [undefined, '']],
  ]) {
    const r = firstOf((s) => kindOf(s) === kind)
    for (const v of values) {
      const m = clone(r)
      if (v === undefined) delete m.props[key]
      else m.props[key] = v
      add(`${kind}: props.${key} = ${v === undefined ? '(removed)' : JSON.stringify(v)}`, m)
    }
  }
}

// first line: tldraw's serialized schema and the scope of each record type, for the test to compare
const scopes = Object.fromEntries(Object.entries(schema.types).map(([name, type]) => [name, type.scope]))
const header = JSON.stringify({ schema: schema.serialize(), scopes })
const lines = [header, ...cases.map((c) => JSON.stringify({ ...c, ...verdict(c.json) }))]
writeFileSync(outPath, lines.join('\n') + '\n')
const valid = cases.length - lines.filter((l) => JSON.parse(l).valid === false).length
console.log(`corpus: ${cases.length} records (${valid} valid, ${cases.length - valid} invalid), seed ${seed}`)
