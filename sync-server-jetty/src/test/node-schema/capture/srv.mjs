import { createServer } from 'node:http'
import { readFileSync, existsSync } from 'node:fs'
import { join, extname } from 'node:path'
const root = new URL('./dist/', import.meta.url).pathname
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }
createServer((req, res) => {
  let p = join(root, decodeURIComponent(req.url.split('?')[0]))
  if (p.endsWith('/')) p += 'index.html'
  if (!existsSync(p)) { console.error('404', req.url); res.writeHead(404); res.end(); return }
  res.writeHead(200, { 'content-type': types[extname(p)] || 'application/octet-stream' })
  res.end(readFileSync(p))
}).listen(5199, '127.0.0.1')
