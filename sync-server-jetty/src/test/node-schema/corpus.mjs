// Builds the validation corpus: tldraw editor records (editor-records.json) plus deterministic mutations of
// them, each with the verdict of tldraw's own validators (@tldraw/tlschema 5.4.2, createTLSchema()), as
// TLSocketRoom applies them to a record that enters a room.
//
//   node corpus.mjs <out.jsonl> [seed] [node_modules dir]
//
// Each output line: {"name": what was done, "json": the record's JSON text, "valid": tldraw's verdict,
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
function toJson(record) {
  return JSON.stringify(record).replaceAll(`"${INF}"`, '1e400').replaceAll(`"${NEG_INF}"`, '-1e400')
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
    const v = pick([0, -1, -0.5, 0.5, 1, 2, 1e300, -1e-300, 9007199254740993, INF, NEG_INF, INF])
    set(m, path, v)
    add(`${kind}: ${path.join('.')} = ${v === INF ? '1e400' : v === NEG_INF ? '-1e400' : v}`, m)
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
    for (const opacity of [0, 1, 0.25, 1.01, -0.01, '1', INF]) {
      const m = clone(r)
      m.opacity = opacity
      add(`${kind}: opacity ${opacity === INF ? '1e400' : JSON.stringify(opacity)}`, m)
    }
  }
}

const lines = cases.map((c) => JSON.stringify({ ...c, ...verdict(c.json) }))
writeFileSync(outPath, lines.join('\n') + '\n')
const valid = cases.length - lines.filter((l) => JSON.parse(l).valid === false).length
console.log(`corpus: ${cases.length} records (${valid} valid, ${cases.length - valid} invalid), seed ${seed}`)
