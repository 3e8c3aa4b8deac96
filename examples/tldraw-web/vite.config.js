import { defineConfig } from 'vite'

// No React plugin: esbuild compiles the JSX. The dev server falls back to index.html for /r/{roomId} and
// /ro/{roomId}, like the Tandem server does when it serves the built page (--web dist).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  server: { host: '127.0.0.1', port: 5173 },
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      onwarn(warning, warn) {
        // radix-ui's "use client" directives mean nothing outside React Server Components
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
      },
    },
  },
})
