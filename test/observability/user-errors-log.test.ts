// A user's mistake is logged at warn without a stack; an unexpected fault stays at error with its stack.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import { createLogger, yogaLogger } from '../../src/log.js';

describe('log levels of errors', () => {
  let dir: string;
  let app: App;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'lakeql-userlog-'));
    await fs.mkdir(path.join(dir, 'uploads'));
    await fs.mkdir(path.join(dir, 'lake'));
    const destination = new Writable({
      write(chunk, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: destination as never });
    const lake = path.join(dir, 'lake');
    app = await buildApp(
      loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_UPLOAD_ROOT: path.join(dir, 'uploads'), LAKEQL_RATE_LIMIT: 'off' }),
      { logger, store: new LocalStore(lake), location: { kind: 'local', directory: lake } },
    );
  });
  afterAll(async () => {
    await app?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('logs a bad backfill path at warn with its code and no stack', async () => {
    for (const source of ['no-such-dir', '../../etc']) {
      const r = await app.yoga.fetch('http://lakeql.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `mutation { startBackfill(source: ${JSON.stringify(source)}) { id } }` }),
      });
      expect((await r.json()).errors[0].extensions.code).toMatch(/NOT_FOUND|FORBIDDEN/);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(2);
    for (const w of warnings) {
      expect(JSON.stringify(w)).not.toContain('stack');
      expect(w.code).toMatch(/NOT_FOUND|PERMISSION_DENIED|FORBIDDEN/);
    }
  });

  it('keeps an unexpected error at error with its stack', () => {
    const out: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        out.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    yogaLogger(createLogger({ destination: destination as never })).error(
      new TypeError('cannot read properties of undefined'),
    );
    expect(out[0].level).toBe('error');
    expect(JSON.stringify(out[0])).toContain('stack');
  });
});
