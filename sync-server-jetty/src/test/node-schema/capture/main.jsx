import { createRoot } from 'react-dom/client'
import * as TL from 'tldraw'
import 'tldraw/tldraw.css'

createRoot(document.getElementById('root')).render(
  <div style={{ position: 'fixed', inset: 0 }}>
    <TL.Tldraw onMount={(editor) => { window.editor = editor; window.TL = TL }} />
  </div>
)
