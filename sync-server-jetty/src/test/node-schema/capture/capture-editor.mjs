// Captures real records from tldraw's editor (tldraw 5.4.2) for the validator corpus: creates every default
// shape type, the assets and arrow bindings (arrows, draw, highlight and line strokes are drawn with the mouse,
// as a user does), and writes the store's document records plus the instance_presence record that tldraw's
// sync client derives from the editor. Run once; its output is committed as ../editor-records.json.
//
// It needs the packages of examples/tldraw-web (tldraw, vite, playwright-core), so run it in a scratch copy:
//
//   cp -r examples/tldraw-web /tmp/tlweb && cp -r sync-server-jetty/src/test/node-schema/capture /tmp/tlweb/cap
//   cd /tmp/tlweb && npm install
//   npx vite build cap --config cap/vite.config.js
//   node cap/srv.mjs &                               (serves cap/dist on 127.0.0.1:5199)
//   node cap/capture-editor.mjs editor-records.json
//
// Chromium comes from the system (/usr/bin/chromium). The page is offline: tldraw's CDN fetches fail harmlessly.
import { chromium } from 'playwright-core'
import { writeFileSync } from 'node:fs'

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
const page = await browser.newPage()
page.on('pageerror', (e) => console.error('pageerror', e.message))
await page.goto(process.env.CAPTURE_URL || 'http://127.0.0.1:5199/')
await page.waitForFunction(() => !!window.editor, null, { timeout: 20000 })
await page.waitForTimeout(500)

// shapes the editor makes from its own defaults
const made = await page.evaluate(() => {
  const { editor, TL } = window
  const id = (n) => TL.createShapeId(n)
  const rt = TL.toRichText
  editor.createShapes([
    { id: id('geo1'), type: 'geo', x: 100, y: 100, props: { w: 160, h: 100, richText: rt('Hello geo') } },
    { id: id('geo2'), type: 'geo', x: 600, y: 120, props: { geo: 'ellipse', fill: 'solid', color: 'blue', w: 140, h: 140 } },
    { id: id('geo3'), type: 'geo', x: 300, y: 500, props: { geo: 'star', dash: 'dashed', url: 'https://tldraw.com', size: 'xl' } },
    { id: id('geo4'), type: 'geo', x: 500, y: 500, rotation: 0.5, opacity: 0.5, props: { geo: 'check-box', flipX: true, align: 'start', verticalAlign: 'end', font: 'mono' } },
    { id: id('text1'), type: 'text', x: 100, y: 300, props: { richText: rt('Some text\nsecond line') } },
    { id: id('text2'), type: 'text', x: 100, y: 380, props: { richText: rt('fixed width'), autoSize: false, w: 200, textAlign: 'middle', font: 'serif' } },
    { id: id('note1'), type: 'note', x: 800, y: 100, props: { richText: rt('A note'), color: 'yellow' } },
    { id: id('note2'), type: 'note', x: 1000, y: 100, props: { richText: rt(''), fontSizeAdjustment: 1.2, textLastEditedBy: 'user:abc' } },
    { id: id('frame1'), type: 'frame', x: 800, y: 400, props: { w: 300, h: 200, name: 'Frame one' } },

  ])
  editor.createShapes([
    { id: id('geoInFrame'), type: 'geo', parentId: id('frame1'), x: 20, y: 20, props: { w: 50, h: 50 } },
  ])
  editor.createShapes([
    { id: id('g1'), type: 'geo', x: 100, y: 700, props: { w: 60, h: 60 } },
    { id: id('g2'), type: 'geo', x: 200, y: 700, props: { w: 60, h: 60, geo: 'triangle' } },
  ])
  editor.groupShapes([id('g1'), id('g2')], { groupId: id('group1') })

  const imageAsset = TL.AssetRecordType.create({
    id: TL.AssetRecordType.createId('image1'), type: 'image',
    props: { name: 'pixel.png', src: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', w: 120, h: 80, mimeType: 'image/png', isAnimated: false, fileSize: 68 },
  })
  const imageAsset2 = TL.AssetRecordType.create({
    id: TL.AssetRecordType.createId('image2'), type: 'image',
    props: { name: 'photo.jpg', src: 'https://example.com/photo.jpg', w: 640, h: 480, mimeType: 'image/jpeg', isAnimated: false, pixelRatio: 2 },
  })
  const videoAsset = TL.AssetRecordType.create({
    id: TL.AssetRecordType.createId('video1'), type: 'video',
    props: { name: 'clip.mp4', src: 'asset:clip-1', w: 320, h: 180, mimeType: 'video/mp4', isAnimated: true, fileSize: 123456 },
  })
  const bookmarkAsset = TL.AssetRecordType.create({
    id: TL.AssetRecordType.createId('bookmark1'), type: 'bookmark',
    props: { title: 'tldraw', description: 'a canvas', image: 'https://tldraw.com/og.png', favicon: 'https://tldraw.com/favicon.ico', src: 'https://tldraw.com' },
  })
  editor.createAssets([imageAsset, imageAsset2, videoAsset, bookmarkAsset])
  editor.createShapes([
    { id: id('image1'), type: 'image', x: 1200, y: 100, props: { assetId: imageAsset.id, w: 120, h: 80 } },
    { id: id('image2'), type: 'image', x: 1200, y: 250, props: { assetId: imageAsset2.id, w: 320, h: 240, crop: { topLeft: { x: 0.1, y: 0.1 }, bottomRight: { x: 0.9, y: 0.9 } }, altText: 'a photo' } },
    { id: id('video1'), type: 'video', x: 1200, y: 700, props: { assetId: videoAsset.id, w: 320, h: 180 } },
    { id: id('bookmark1'), type: 'bookmark', x: 700, y: 700, props: { assetId: bookmarkAsset.id, url: 'https://tldraw.com' } },
  ])
  editor.createPage({ name: 'Second page' })
  return editor.getCurrentPageShapes().length
})
console.error('shapes via API:', made)

// shapes drawn with the mouse, as a user does
async function drag(tool, from, to, steps = 12, via = null) {
  await page.keyboard.press('Escape')
  await page.evaluate((t) => { window.editor.setCurrentTool(t) }, tool)
  await page.mouse.move(from[0], from[1])
  await page.mouse.down()
  const pts = via ? [...via, to] : [to]
  let cur = from
  for (const p of pts) {
    for (let i = 1; i <= steps; i++) {
      await page.mouse.move(cur[0] + ((p[0] - cur[0]) * i) / steps, cur[1] + ((p[1] - cur[1]) * i) / steps)
    }
    cur = p
  }
  await page.mouse.up()
  await page.waitForTimeout(100)
}
const center = (n) => page.evaluate((n) => {
  const e = window.editor
  const b = e.getShapePageBounds(window.TL.createShapeId(n))
  const p = e.pageToViewport({ x: b.x + b.w / 2, y: b.y + b.h / 2 })
  return [p.x, p.y]
}, n)
await page.evaluate(() => { window.editor.zoomToFit({ animation: { duration: 0 } }) })
await page.waitForTimeout(200)
const a = await center('geo1'), b = await center('geo2'), c = await center('geo3')
await drag('arrow', a, b)
await drag('arrow', b, c, 12, [[b[0] + 80, c[1] - 40]])
await drag('arrow', [40, 40], [160, 90])
await page.evaluate(() => { window.editor.setStyleForNextShapes(window.TL.ArrowShapeKindStyle, 'elbow') })
await drag('arrow', c, a)
await drag('draw', [200, 600], [320, 640], 8, [[240, 560], [280, 660]])
await drag('draw', [420, 620], [520, 620], 4)
await drag('highlight', [600, 620], [720, 660], 8, [[650, 600]])
await drag('line', [800, 620], [920, 700], 6)
await page.keyboard.press('Escape')
await page.evaluate(() => { window.editor.setStyleForNextShapes(window.TL.ArrowShapeKindStyle, 'arc') })

await page.evaluate(() => {
  const { editor, TL } = window
  editor.createShapes([
    { id: TL.createShapeId('embed1'), type: 'embed', x: 1200, y: 400, props: { url: 'https://www.youtube.com/embed/dQw4w9WgXcQ' } },
    { id: TL.createShapeId('embed2'), type: 'embed', x: 1700, y: 400, props: { url: 'https://codepen.io/Rplus/embed/PWZYRM' } },
  ])
  editor.select(TL.createShapeId('geo1'), TL.createShapeId('note1'))
})
await page.mouse.move(300, 300)
const out = await page.evaluate(() => {
  const { editor, TL } = window
  const docTypes = new Set(['asset', 'binding', 'document', 'page', 'shape', 'user'])
  const records = editor.store.allRecords().filter((r) => docTypes.has(r.typeName))
  // the presence record tldraw's sync client derives from this editor's store
  const user = TL.atom('user', { id: 'user:capture', name: 'Capture', color: '#1a73e8' })
  const presence = TL.createPresenceStateDerivation(user)(editor.store).get()
  return { records, presence }
})
const all = [...out.records, out.presence].map((r) => JSON.parse(JSON.stringify(r)))
const byKind = {}
for (const r of all) { const k = r.typeName + (r.type ? ':' + r.type : ''); byKind[k] = (byKind[k] || 0) + 1 }
console.error(byKind)
writeFileSync(process.argv[2] || 'seeds.json', JSON.stringify(all, null, 1) + '\n')
await browser.close()
