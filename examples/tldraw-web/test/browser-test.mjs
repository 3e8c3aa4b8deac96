// Browser test: tldraw's editor in headless Chromium against a Tandem server serving this page.
//
//   node test/browser-test.mjs <serverUrl> <roomId> <screenshotDir>
//
// Opens the room twice read-write (two browser contexts, so two tldraw sessions) and once read-only
// (/ro/{roomId}); checks a shape drawn in one tab appears in the others; prints RESTART and waits for a line on
// stdin while the test restarts the server; checks every tab reconnects and they still agree; checks the
// read-only tab's edit is reverted and never reaches the others; checks a bare WebSocket client's invalid shape
// is refused with 4099 INVALID_RECORD while the editors keep syncing and a fresh tab loads the room. Prints
// "OK <ms>" and exits 0 on success.
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); no browser download.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const [serverUrl, roomId, shotDir] = process.argv.slice(2)
if (!serverUrl || !roomId || !shotDir) {
  console.error('usage: node test/browser-test.mjs <serverUrl> <roomId> <screenshotDir>')
  process.exit(2)
}
mkdirSync(shotDir, { recursive: true })
const started = Date.now()
const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()

const log = (...a) => console.log(`[browser-test +${Date.now() - started}ms]`, ...a)
const base = serverUrl.replace(/\/$/, '')

async function waitFor(page, fn, arg, what, timeout = 30_000) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 })
  } catch (e) {
    await page.screenshot({ path: join(shotDir, 'failure.png') }).catch(() => {})
    throw new Error(`timed out waiting for ${what}: ${e.message.split('\n')[0]}`)
  }
}

// page.evaluate, once more after the tab synced again if the page navigated (reloaded) under it
async function evaluate(page, fn, arg) {
  try {
    return await page.evaluate(fn, arg)
  } catch (e) {
    if (!/Execution context was destroyed/.test(e.message)) throw e
    log('the page reloaded; waiting for it to sync again')
    await waitFor(page, synced, null, 'the reloaded tab to sync', 60_000)
    return await page.evaluate(fn, arg)
  }
}

const synced = () =>
  window.editor && window.tandem &&
  window.tandem.status().status === 'synced-remote' && window.tandem.status().connectionStatus === 'online'
const hasShape = (id) => !!window.editor.getShape(id)
const shapes = () =>
  window.editor.getCurrentPageShapes().map((s) => `${s.id}@${Math.round(s.x)},${Math.round(s.y)}`).sort().join(' ')


const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  ],
  // launch() gives every run a fresh temporary profile (--user-data-dir) of its own
})
let failed = false
try {
  const open = async (path) => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } })
    const page = await context.newPage()
    page.on('pageerror', (e) => log('page error', path, e.message))
    page.on('crash', () => log('page crashed', path))
    page.on('framenavigated', (f) => f === page.mainFrame() && log('navigated', path, f.url()))
    if (process.env.DEBUG_CONSOLE) page.on('console', (m) => log('console', path, m.text()))
    await page.goto(base + path)
    await waitFor(page, synced, null, `${path} to sync`, 60_000)
    return page
  }
  const [a, b, ro] = await Promise.all([open(`/r/${roomId}`), open(`/r/${roomId}`), open(`/ro/${roomId}`)])
  log('three tabs synced')

  // 1. a shape drawn in tab A appears in tab B and in the read-only tab
  await a.evaluate((args) => void window.editor.createShape({
    id: args.id, type: 'geo', x: args.x, y: args.y, props: { w: 160, h: 100, geo: 'rectangle' },
  }), { id: 'shape:fromA', x: 100, y: 120 })
  await waitFor(b, hasShape, 'shape:fromA', 'shape:fromA in tab B')
  await waitFor(ro, hasShape, 'shape:fromA', 'shape:fromA in the read-only tab')
  log('shape from A reached B and the read-only tab')
  await a.screenshot({ path: join(shotDir, '1-tab-a.png') })
  await b.screenshot({ path: join(shotDir, '1-tab-b.png') })

  // 2. restart the server; every tab reconnects, and a change made afterwards in B reaches A
  console.log('RESTART')
  const reply = await stdinLines.next()
  if (reply.done || reply.value.trim() !== 'RESTARTED') throw new Error(`expected RESTARTED, got ${reply.value}`)
  log('server restarted')
  for (const [name, p] of [['A', a], ['B', b], ['read-only', ro]]) {
    await waitFor(p, synced, null, `tab ${name} to reconnect`, 60_000)
  }
  await evaluate(b, (args) => void window.editor.createShape({
    id: args.id, type: 'geo', x: args.x, y: args.y, props: { w: 160, h: 100, geo: 'rectangle' },
  }), { id: 'shape:fromB', x: 400, y: 160 })
  await waitFor(a, hasShape, 'shape:fromB', 'shape:fromB in tab A after the restart')
  await waitFor(ro, hasShape, 'shape:fromB', 'shape:fromB in the read-only tab after the restart')
  const [shapesA, shapesB] = [await evaluate(a, shapes), await evaluate(b, shapes)]
  if (shapesA !== shapesB) throw new Error(`tabs disagree after the restart:\n A: ${shapesA}\n B: ${shapesB}`)
  log('after the restart both tabs agree:', shapesA)
  await a.screenshot({ path: join(shotDir, '2-tab-a-after-restart.png') })

  // 3. the read-only tab cannot edit: the server discards its change, the tab reverts it, nobody else sees it
  const readOnlyUi = await evaluate(ro, () => window.editor.getIsReadonly())
  if (!readOnlyUi) throw new Error('the /ro/ page did not put the editor in read-only mode')
  await evaluate(ro, (args) => {
    // bypass the editor's own read-only guard, so the change really goes to the server
    window.editor.updateInstanceState({ isReadonly: false })
    window.editor.createShape({ id: args.id, type: 'geo', x: 50, y: 400, props: { w: 80, h: 80, geo: 'rectangle' } })
    window.editor.updateInstanceState({ isReadonly: true })
  }, { id: 'shape:fromReadOnly' })
  await waitFor(ro, (id) => !window.editor.getShape(id), 'shape:fromReadOnly', 'the read-only edit to be reverted')
  // a later change from A reaching B proves B has seen everything the server accepted before it
  await evaluate(a, (args) => void window.editor.createShape({
    id: args.id, type: 'geo', x: args.x, y: args.y, props: { w: 60, h: 60, geo: 'rectangle' },
  }), { id: 'shape:marker', x: 700, y: 100 })
  await waitFor(b, hasShape, 'shape:marker', 'shape:marker in tab B')
  for (const [name, p] of [['A', a], ['B', b]]) {
    if (await evaluate(p, hasShape, 'shape:fromReadOnly')) throw new Error(`the read-only edit reached tab ${name}`)
  }
  log('read-only edit discarded')
  await ro.screenshot({ path: join(shotDir, '3-read-only.png') })
  const final = [await evaluate(a, shapes), await evaluate(b, shapes), await evaluate(ro, shapes)]
  await waitFor(ro, (expected) => {
    const s = window.editor.getCurrentPageShapes().map((x) => `${x.id}@${Math.round(x.x)},${Math.round(x.y)}`)
    return s.sort().join(' ') === expected
  }, final[0], 'the read-only tab to agree with tab A')
  if (final[0] !== final[1]) throw new Error(`tabs disagree at the end:\n A: ${final[0]}\n B: ${final[1]}`)

  // 4. a bare WebSocket client with the editor's own schema pushes an invalid geo shape: the server closes it
  // with 4099 INVALID_RECORD, stores nothing, the editors keep syncing and a fresh editor loads the room
  const attack = await evaluate(a, async (args) => {
    const valid = window.editor.getShape('shape:fromA')
    const evil = { ...structuredClone(valid), id: args.id, x: 'banana', props: { ...valid.props, w: -5 } }
    const schema = window.editor.store.schema.serialize()
    const url = `${location.origin.replace(/^http/, 'ws')}/connect/${args.roomId}?sessionId=attacker-${Date.now()}`
    return await new Promise((resolve) => {
      const ws = new WebSocket(url)
      const timer = setTimeout(() => resolve({ timeout: true }), 15_000)
      ws.onopen = () => ws.send(JSON.stringify({
        type: 'connect', connectRequestId: 'evil', lastServerClock: -1, protocolVersion: 8, schema,
      }))
      ws.onmessage = (e) => {
        const msg = JSON.parse(e.data)
        if (msg.type === 'connect') {
          ws.send(JSON.stringify({ type: 'push', clientClock: 1, diff: { [args.id]: ['put', evil] } }))
        }
      }
      ws.onclose = (e) => { clearTimeout(timer); resolve({ code: e.code, reason: e.reason }) }
    })
  }, { id: 'shape:evil', roomId })
  if (attack.code !== 4099 || attack.reason !== 'INVALID_RECORD') {
    throw new Error(`the invalid shape was not refused with 4099 INVALID_RECORD: ${JSON.stringify(attack)}`)
  }
  log('bare client with an invalid shape closed:', attack.code, attack.reason)
  await evaluate(b, (args) => void window.editor.createShape({
    id: args.id, type: 'geo', x: args.x, y: args.y, props: { w: 70, h: 70, geo: 'ellipse' },
  }), { id: 'shape:afterAttack', x: 300, y: 420 })
  await waitFor(a, hasShape, 'shape:afterAttack', 'shape:afterAttack in tab A after the attack')
  const fresh = await open(`/r/${roomId}`)
  await waitFor(fresh, hasShape, 'shape:afterAttack', 'shape:afterAttack in a fresh tab')
  for (const [name, p] of [['A', a], ['B', b], ['fresh', fresh]]) {
    if (await evaluate(p, hasShape, 'shape:evil')) throw new Error(`the invalid shape reached tab ${name}`)
  }
  log('after the attack the editors keep syncing and a fresh tab loads the room')
  await fresh.screenshot({ path: join(shotDir, '4-fresh-after-attack.png') })
  console.log(`OK ${Date.now() - started}`)
} catch (e) {
  failed = true
  console.error('FAILED', e.stack || e.message)
} finally {
  await browser.close()
}
process.exit(failed ? 1 : 0)
