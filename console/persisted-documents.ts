// Vite plugin: gives every console query a persisted-document id (SHA-256 of its text) at build time, and writes the id → document list the gateway loads.
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { ALL_DOCUMENTS } from './src/documents.js';

/** The gateway reads this file from console/dist (src/http/persisted-documents.ts). */
const MANIFEST = 'persisted-documents.json';

/** Also APQ's `sha256Hash`, so either convention names the same document. */
export function documentId(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Ids are computed from the same strings the bundle sends, so they cannot drift: the page gets
 * text → id through a define, the gateway gets id → text through the manifest. A page served
 * with a manifest from another build would send unknown ids; the client then falls back to the
 * text (src/graphql.ts), unless the gateway only takes trusted documents.
 */
export function persistedDocuments(): Plugin {
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
