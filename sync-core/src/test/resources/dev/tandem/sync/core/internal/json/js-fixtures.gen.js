// Regenerates the JavaScript reference fixtures used by JsNumbersTest and JsonCodecTest:
//   node js-fixtures.gen.js
// js-number-strings.txt: "<IEEE-754 bits in hex> <String(d)>" for seeded doubles of many shapes.
// js-string-escapes.txt: "<code unit in hex> <JSON.stringify(that one-unit string)>" for every unit that
//   JSON.stringify does not copy as is.
// js-stringify-docs.txt: pairs of lines: a JSON text, then JSON.stringify(JSON.parse(text)).
'use strict';
const fs = require('fs');
let seed = 20240611;
function rnd() { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; }
function int(n) { return Math.floor(rnd() * n); }
const view = new DataView(new ArrayBuffer(8));
function bitsHex(d) {
  view.setFloat64(0, d);
  return view.getUint32(0).toString(16).padStart(8, '0') + view.getUint32(4).toString(16).padStart(8, '0');
}
function fromBits(hi, lo) { view.setUint32(0, hi >>> 0); view.setUint32(4, lo >>> 0); return view.getFloat64(0); }

const numbers = [];
const fixed = [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e21, 1e20, 123456789012345680000, 1.5e-7, 1e-6, 1e-7, 0.000001,
  0.0000015, 1e300, 1.7976931348623157e308, 5e-324, 1e-323, 1.5e-323, 2.2250738585072014e-308, 2 ** 53,
  2 ** 53 + 2, 2 ** 64, 4.35, 0.1 + 0.2, 100, 1.5, -2.5, 123.456, -0.001, 1e-5, 12345678.9, 1e16, 1.2e22];
for (const d of fixed) numbers.push(d);
while (numbers.length < 6000) {
  const r = rnd();
  let d;
  if (r < 0.3) d = fromBits(int(0x100000000), int(0x100000000));
  else if (r < 0.5) d = (rnd() - 0.5) * Math.pow(10, int(44) - 22);
  else if (r < 0.7) d = Math.round(rnd() * 1e6) / Math.pow(10, int(9));
  else if (r < 0.8) d = Math.pow(10, int(616) - 308) * (1 + int(9));
  else if (r < 0.9) d = fromBits(int(0x00100000), int(0x100000000));
  else d = int(2 ** 20) * Math.pow(2, int(240) - 120);
  if (Number.isFinite(d)) numbers.push(d);
}
fs.writeFileSync('js-number-strings.txt', numbers.map(d => bitsHex(d) + ' ' + String(d)).join('\n') + '\n');

const escapes = [];
for (let c = 0; c <= 0xffff; c++) {
  const s = String.fromCharCode(c);
  const j = JSON.stringify(s);
  if (j !== '"' + s + '"') escapes.push(c.toString(16).padStart(4, '0') + ' ' + j);
}
fs.writeFileSync('js-string-escapes.txt', escapes.join('\n') + '\n');

function randString(keySafe) {
  const n = int(8);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.5) s += String.fromCharCode(0x20 + int(95));
    else if (r < 0.6) s += String.fromCharCode(int(0x20));
    else if (r < 0.7) s += ['\u2028', '\u2029', '"', '\\', '/', '\u007f'][int(6)];
    else if (r < 0.8) s += String.fromCodePoint(0x10000 + int(0x100000));
    else if (r < 0.85) s += keySafe ? 'x' : String.fromCharCode(0xd800 + int(0x800));
    else s += String.fromCharCode(0xa0 + int(0xd700));
  }
  return s;
}
// Never an array index, so key order is insertion order; never a lone surrogate, which Jackson refuses in keys.
function randKey() { return 'k' + randString(true); }
function randNumber() {
  const r = rnd();
  if (r < 0.3) return int(2000) - 1000;
  if (r < 0.6) return (rnd() - 0.5) * Math.pow(10, int(40) - 20);
  if (r < 0.8) return Math.round(rnd() * 1e6) / 1000;
  const d = fromBits(int(0x100000000), int(0x100000000));
  return Number.isFinite(d) ? d : 0;
}
function randValue(depth) {
  const r = rnd();
  if (depth > 3 || r < 0.5) {
    const s = rnd();
    if (s < 0.4) return randString();
    if (s < 0.8) return randNumber();
    if (s < 0.9) return rnd() < 0.5;
    return null;
  }
  if (r < 0.75) {
    const a = [];
    for (let i = int(5); i > 0; i--) a.push(randValue(depth + 1));
    return a;
  }
  const o = {};
  for (let i = int(5); i > 0; i--) o[randKey()] = randValue(depth + 1);
  return o;
}
// Writes a value as JSON text in a non-canonical but valid way: whitespace, exponents, escapes.
function loose(v) {
  const ws = () => [' ', '', '\n', '\t', '\r\n'][int(5)];
  if (v === null || typeof v === 'boolean') return ws() + String(v) + ws();
  if (typeof v === 'number') {
    const r = rnd();
    if (r < 0.3 && v !== 0) return ws() + v.toExponential() + ws();
    if (r < 0.4 && Number.isInteger(v) && Math.abs(v) < 1e15) return ws() + v + '.0' + ws();
    return ws() + JSON.stringify(v) + ws();
  }
  if (typeof v === 'string') {
    let out = '"';
    for (const ch of v) {
      const c = ch.codePointAt(0);
      if (ch === '"' || ch === '\\' || c < 0x20) out += JSON.stringify(ch).slice(1, -1);
      else if (c >= 0xd800 && c <= 0xdfff) out += '\\u' + c.toString(16).toUpperCase();
      else if (rnd() < 0.2 && c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
      else out += ch;
    }
    return ws() + out + '"' + ws();
  }
  if (Array.isArray(v)) return ws() + '[' + v.map(loose).join(',') + ']' + ws();
  return ws() + '{' + Object.keys(v).map(k => loose(k) + ':' + loose(v[k])).join(',') + '}' + ws();
}
const docs = [];
for (let i = 0; i < 400; i++) {
  const text = loose(randValue(0));
  docs.push(JSON.stringify(text));
  docs.push(JSON.stringify(JSON.stringify(JSON.parse(text))));
}
fs.writeFileSync('js-stringify-docs.txt', docs.join('\n') + '\n');
