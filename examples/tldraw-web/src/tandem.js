import { AssetRecordType, getHashForString } from 'tldraw'

// The Tandem server: the page's own origin when the server serves the built page, else VITE_TANDEM_URL
// (default http://127.0.0.1:8787) under `npm run dev`, or ?server=… on the page's URL.
const params = new URLSearchParams(window.location.search)
const server = (
  params.get('server') ||
  (import.meta.env.DEV ? import.meta.env.VITE_TANDEM_URL || 'http://127.0.0.1:8787' : window.location.origin)
).replace(/\/$/, '')

// /r/{roomId}: edit the room; /ro/{roomId}: view it read-only (also the links POST /snapshots returns).
function route() {
  const m = window.location.pathname.match(/^\/(r|ro)\/([A-Za-z0-9._~:-]+)\/?$/)
  if (!m) {
    const id = Math.random().toString(36).slice(2, 10)
    return { redirect: '/r/' + id + window.location.search }
  }
  const readOnly = m[1] === 'ro'
  const roomId = m[2]
  const ws = server.replace(/^http/, 'ws')
  return {
    roomId,
    readOnly,
    server,
    connectUri: ws + (readOnly ? '/ro/' : '/connect/') + encodeURIComponent(roomId),
  }
}

export const page = route()

// Images and videos go to the server's content-addressed upload store: POST /uploads/{name} returns the
// object's sha-256 name, which GET /uploads/{name} serves.
export const tandemAssets = {
  async upload(asset, file) {
    const name = encodeURIComponent(`${asset.id}-${file.name}`.replace(/[^a-zA-Z0-9._-]/g, '-'))
    const res = await fetch(`${server}/uploads/${name}`, {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream' },
      body: file,
    })
    if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`)
    const { objectName } = await res.json()
    return { src: `${server}/uploads/${objectName}` }
  },
  resolve(asset) {
    return asset.props.src
  },
}

// Pasted links become bookmarks with metadata from the server's GET /unfurl.
export async function unfurlBookmark({ url }) {
  const asset = {
    id: AssetRecordType.createId(getHashForString(url)),
    typeName: 'asset',
    type: 'bookmark',
    meta: {},
    props: { src: url, description: '', image: '', favicon: '', title: '' },
  }
  try {
    const res = await fetch(`${server}/unfurl?url=${encodeURIComponent(url)}`)
    if (res.ok) {
      const data = await res.json()
      asset.props.title = data.title || ''
      asset.props.description = data.description || ''
      asset.props.image = data.image || ''
      asset.props.favicon = data.favicon || ''
    }
  } catch (e) {
    console.warn('unfurl failed', e)
  }
  return asset
}
