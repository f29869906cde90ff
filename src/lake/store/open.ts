// Turns LAKEQL_LAKE (s3://bucket/prefix, file:///dir or a path) into a store and a description of where it is.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, isLakeError } from '../errors.js';
import { assertValidPrefix } from './keys.js';
import { LocalStore, type LocalStoreOptions } from './local/store.js';
import { PrefixedStore } from './prefixed.js';
import { S3Store, type S3StoreOptions } from './s3/store.js';
import type { ObjectStore } from './types.js';

export type LakeLocation =
  /** `prefix` is "" for the whole bucket, otherwise it ends in "/". */
  | { kind: 's3'; bucket: string; prefix: string }
  /** An absolute directory. */
  | { kind: 'local'; directory: string };

export interface OpenStoreOptions {
  /** Base for relative directory paths; default process.cwd(). */
  cwd?: string;
  /** Client settings for S3 lakes (the bucket comes from the location). */
  s3?: Omit<S3StoreOptions, 'bucket'>;
  local?: LocalStoreOptions;
  /**
   * Create a missing lake directory (a new lake starts empty). Default true. False for a
   * directory the user named: a typo must stop start-up, not serve an empty (or demo) lake.
   */
  createDirectory?: boolean;
}

export interface OpenedStore {
  store: ObjectStore;
  location: LakeLocation;
  /** Releases what the store holds open (S3 connection pool); a no-op for directories. */
  close(): void;
}

const SETTING = 'LAKEQL_LAKE';

function invalid(message: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(`${SETTING}: ${message}`, { cause });
}

/** Parses a lake location without touching the network or disk, so configuration errors surface at start-up. */
export function parseLakeLocation(location: string, cwd = process.cwd()): LakeLocation {
  const text = location.trim();
  if (text === '') throw invalid('is empty: use s3://bucket/prefix, file:///dir or a directory path');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 's3') return parseS3(text.slice('s3://'.length));
  if (scheme === 'file') {
    let directory: string;
    try {
      directory = fileURLToPath(text);
    } catch (error) {
      throw invalid(`"${text}" is not a file URL of a local directory (expected file:///absolute/path)`, error);
    }
    return { kind: 'local', directory: path.resolve(directory) };
  }
  if (scheme !== undefined)
    throw invalid(
      `unsupported scheme "${scheme}://" in "${text}": use s3://bucket/prefix, file:///dir or a directory path`,
    );
  // `s3:/bucket`, `s3:bucket`, `file:/dir`: a URL with a slash missing, not a directory named "s3:".
  // One-letter schemes are left alone: `C:\lake` is a Windows path.
  const near = /^([a-z][a-z0-9+.-]+):/i.exec(text)?.[1]?.toLowerCase();
  if (near !== undefined) {
    const hint =
      near === 's3' || near === 'file'
        ? `; did you mean ${near}://${text.slice(near.length + 1).replace(/^\/+/, near === 'file' ? '/' : '')}?`
        : '';
    throw invalid(
      `"${text}" looks like a URL but is not one (a URL starts with scheme://)${hint} Use s3://bucket/prefix, file:///dir or a directory path`,
    );
  }
  return { kind: 'local', directory: path.resolve(cwd, text) };
}

function parseS3(rest: string): LakeLocation {
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const problem = bucketProblem(bucket);
  if (problem) throw invalid(`"${bucket}" is not a valid S3 bucket name: ${problem}`);
  let prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  try {
    assertValidPrefix(prefix);
  } catch (error) {
    throw invalid(
      `the key prefix "${prefix}" is not valid: ${isLakeError(error) ? error.message : String(error)}`,
      error,
    );
  }
  return { kind: 's3', bucket, prefix };
}

/** S3's general-purpose bucket naming rules; undefined when the name is fine. */
export function bucketProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3–63 characters long (it is ${name.length})`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lower-case letters, digits, "." and "-"';
  if (!name.split('.').every((label) => /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label))) {
    return 'must start and end with a letter or digit, also around each "."';
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    return 'uses a prefix or suffix S3 reserves';
  }
  return undefined;
}

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const parsed = parseLakeLocation(location, options.cwd);
  if (parsed.kind === 's3') {
    const s3 = new S3Store({ ...options.s3, bucket: parsed.bucket });
    const store = parsed.prefix === '' ? s3 : new PrefixedStore(s3, parsed.prefix);
    return { store, location: parsed, close: () => s3.close() };
  }
  if (options.createDirectory ?? true) {
    await fs.mkdir(parsed.directory, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw invalid(`cannot create the lake directory ${parsed.directory}: ${error.code ?? error.message}`, error);
    });
  } else {
    const stats = await fs.stat(parsed.directory).catch((error: NodeJS.ErrnoException) => {
      throw invalid(
        error.code === 'ENOENT'
          ? `the lake directory ${parsed.directory} does not exist: create it, fix the path, or set LAKEQL_DEMO=always to create it with demo data`
          : `cannot open the lake directory ${parsed.directory}: ${error.code ?? error.message}`,
        error,
      );
    });
    if (!stats.isDirectory()) throw invalid(`${parsed.directory} is not a directory`);
  }
  return { store: new LocalStore(parsed.directory, options.local), location: parsed, close: () => {} };
}
