import path from 'node:path';
import { defineConfig } from 'vite';

const repo = path.resolve(__dirname, '..');

// Libraries change less often than the app: in files of their own they stay cached.
const VENDOR: Record<string, readonly string[]> = {
  react: ['react', 'react-dom', 'scheduler'],
  quill: ['quill', 'quill-delta', 'parchment', 'eventemitter3', 'lodash-es', 'fast-diff'],
  leaflet: ['leaflet'],
};
const vendorChunk = (id: string): string | undefined => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1];
  return pkg === undefined ? undefined : Object.keys(VENDOR).find((chunk) => VENDOR[chunk].includes(pkg));
};

export default defineConfig({
  root: __dirname,
  // The server serves the built files at /, so asset URLs are absolute from there.
  base: '/',
  // Vite's esbuild compiles TSX; no React plugin needed (no fast refresh in dev).
  esbuild: { jsx: 'automatic' },
  resolve: {
    // Quill 2 and the shared OT code (src/domain/ot.ts) must use one Delta class.
    dedupe: ['quill-delta'],
  },
  server: {
    // src/domain/ot.ts lives outside client/.
    fs: { allow: [repo] },
    // `npm run dev -w client` beside a server on 8080.
    proxy: { '/ws': { target: 'ws://localhost:8080', ws: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: { output: { manualChunks: vendorChunk } },
  },
});
