// Vite config for the web console: built into console/dist (served by lakeql at /); `npm run console:dev` proxies the API to a running gateway.
import { defineConfig } from 'vite';
import { persistedDocuments } from './persisted-documents.js';

const gateway = process.env.LAKEQL_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  base: '/',
  plugins: [persistedDocuments()],
  // The console's own files only: no .env loading, no public dir surprises beyond console/public.
  envDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // lightweight-charts is most of the bundle (~160 KB); one chunk keeps the page to two requests.
    chunkSizeWarningLimit: 400,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(['/graphql', '/files', '/v1', '/metrics', '/health', '/ready'].map((p) => [p, { target: gateway, changeOrigin: true }])),
  },
});
