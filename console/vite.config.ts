// Vite config for the web console: built into console/dist (served by lakeql at /) with its persisted-document ids; `npm run console:dev` proxies the API to a running gateway.
import { createHash } from 'node:crypto';
import { defineConfig, type Plugin } from 'vite';
import { ALL_DOCUMENTS } from './src/documents.js';

const gateway = process.env.LAKEQL_URL ?? 'http://127.0.0.1:4000';

/** The gateway reads this file from console/dist (src/http/persisted-documents.ts). */
const MANIFEST = 'persisted-documents.json';

/** Also APQ's `sha256Hash`, so either convention names the same document. */
function documentId(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Ids are computed from the same strings the bundle sends, so they cannot drift: the page gets
 * text → id through a define, the gateway gets id → text through the manifest. A page served
 * with a manifest from another build would send unknown ids; the client then falls back to the
 * text (src/graphql.ts), unless the gateway only takes trusted documents.
 */
function persistedDocuments(): Plugin {
  const byId: Record<string, string> = {};
  const idByText: Record<string, string> = {};
  for (const document of Object.values(ALL_DOCUMENTS)) {
    const text = document.toString();
    const id = documentId(text);
    byId[id] = text;
    idByText[text] = id;
  }
  return {
    name: 'lakeql-persisted-documents',
    config: () => ({ define: { __LAKEQL_DOCUMENT_IDS__: JSON.stringify(idByText) } }),
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: MANIFEST, source: `${JSON.stringify(byId, null, 2)}\n` });
    },
  };
}

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
    proxy: Object.fromEntries(
      ['/graphql', '/files', '/v1', '/metrics', '/health', '/ready'].map((p) => [
        p,
        { target: gateway, changeOrigin: true },
      ]),
    ),
  },
});
