export default { root: '.', esbuild: { jsx: 'automatic' }, build: { outDir: 'dist', emptyOutDir: true } }
