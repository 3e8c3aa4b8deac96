import { useRef } from 'react'
import { createRoot } from 'react-dom/client'
import { Tldraw } from 'tldraw'
import { useSync } from '@tldraw/sync'
import 'tldraw/tldraw.css'
import { page, tandemAssets, unfurlBookmark } from './tandem.js'

function App() {
  const store = useSync({ uri: page.connectUri, assets: tandemAssets })
  // the live status ({status, connectionStatus}) for the browser test; onMount sees only the first one
  const live = useRef(store)
  live.current = store
  return (
    <div style={{ position: 'fixed', inset: 0 }}>
      <Tldraw
        store={store}
        onMount={(editor) => {
          if (page.readOnly) editor.updateInstanceState({ isReadonly: true })
          editor.registerExternalAssetHandler('url', unfurlBookmark)
          // for the browser test and for poking around in the console
          window.editor = editor
          window.tandem = { ...page, status: () => live.current }
        }}
      />
    </div>
  )
}

if (page.redirect) {
  window.location.replace(page.redirect)
} else {
  createRoot(document.getElementById('root')).render(<App />)
}
