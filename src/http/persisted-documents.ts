// Persisted and trusted documents: clients send a document id (`documentId`, or APQ's sha256Hash) instead of the text; LAKEQL_TRUSTED_DOCUMENTS accepts only known ones.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { parse } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { CONSOLE_DIST } from './console.js';

/** Written by the console build (console/vite.config.ts) beside the bundle: id → document of every console operation. */
export const CONSOLE_DOCUMENTS_FILE = 'persisted-documents.json';

/** A document id as clients send it: hashes, or names like `client~v1~abc`. */
const DOCUMENT_ID = /^[A-Za-z0-9_.~:-]{1,128}$/;

export class TrustedDocumentsError extends Error {
  constructor(message: string) {
    super(`LAKEQL_TRUSTED_DOCUMENTS: ${message}`);
    this.name = 'TrustedDocumentsError';
  }
}

/** Reads and checks an id → document file; every document must parse, so a typo stops start-up, not a request. */
export async function loadDocuments(file: string): Promise<Map<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TrustedDocumentsError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new TrustedDocumentsError(`${file} must hold a JSON object of id → document`);
  const documents = new Map<string, string>();
  for (const [id, document] of Object.entries(json)) {
    if (!DOCUMENT_ID.test(id))
      throw new TrustedDocumentsError(`id "${id.slice(0, 40)}" must be 1 to 128 of A–Z a–z 0–9 _ . ~ : -`);
    if (typeof document !== 'string') throw new TrustedDocumentsError(`the document of "${id}" must be a string`);
    try {
      parse(document);
    } catch (error) {
      throw new TrustedDocumentsError(`the document of "${id}" does not parse: ${(error as Error).message}`);
    }
    documents.set(id, document);
  }
  return documents;
}

/** The console's documents from its last build; none when it was never built. */
export async function loadConsoleDocuments(directory = CONSOLE_DIST): Promise<Map<string, string>> {
  const file = path.join(directory, CONSOLE_DOCUMENTS_FILE);
  const built = await stat(file).then(
    () => true,
    () => false,
  );
  return built ? loadDocuments(file) : new Map();
}

export interface PersistedDocumentsOptions {
  /** Documents a client may name by id: the console's, plus LAKEQL_TRUSTED_DOCUMENTS'. */
  documents: ReadonlyMap<string, string>;
  /** Only documents by id are executed (LAKEQL_TRUSTED_DOCUMENTS is set). */
  trustedOnly: boolean;
}

/** The Guild's `documentId` (GET query string or POST body), else APQ's `extensions.persistedQuery.sha256Hash`. */
function documentIdOf(params: GraphQLParams, request: Request): string | null {
  const fromBody = (params as { documentId?: unknown }).documentId;
  if (typeof fromBody === 'string') return fromBody;
  if (request.method === 'GET') {
    const fromQuery = new URL(request.url).searchParams.get('documentId');
    if (fromQuery !== null) return fromQuery;
  }
  const apq = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  return apq?.version === 1 && typeof apq.sha256Hash === 'string' ? apq.sha256Hash : null;
}

/**
 * Without LAKEQL_TRUSTED_DOCUMENTS any document is accepted as text and the known ones by id as
 * well; with it, text is refused. The document is looked up as text and goes through the same
 * parse cache, validation and limits as any other (graphql-armor and the cost limit still apply:
 * a trusted file is configuration, not a way around them).
 */
export function persistedDocumentsPlugin({ documents, trustedOnly }: PersistedDocumentsOptions): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: !trustedOnly,
    extractPersistedOperationId: documentIdOf,
    getPersistedOperation: (id) => documents.get(id) ?? null,
    customErrors: {
      notFound: {
        message: 'no persisted document has this id',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } },
      },
      persistedQueryOnly: {
        message: 'this gateway executes trusted documents only: send `documentId` instead of `query`',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      keyNotFound: {
        message: 'send `query`, or `documentId` naming a persisted document',
        extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
      },
    },
  }) as Plugin;
}
