// The generated client types (console/src/gql, src/cli/gql) are what `npm run codegen` makes of schema.graphql and the documents today: a change to either without regenerating fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The files codegen.ts writes, each with the text it would write now. */
async function generated(): Promise<Map<string, string>> {
  const outputs: { filename: string; content: string }[] = await generate(
    { ...config, cwd: ROOT, silent: true },
    false,
  );
  return new Map(outputs.map((o) => [path.relative(ROOT, path.resolve(ROOT, o.filename)), o.content]));
}

describe('generated client types', () => {
  it('are current: run `npm run codegen` and commit its output when this fails', async () => {
    const fresh = await generated();
    expect(fresh.size).toBeGreaterThan(0);
    const stale = [...fresh]
      .filter(([file, content]) => {
        try {
          return readFileSync(path.join(ROOT, file), 'utf8') !== content;
        } catch {
          return true;
        }
      })
      .map(([file]) => file);
    expect(stale).toEqual([]);
    // A file codegen no longer writes (a renamed output) would linger, still importable: none may.
    const folders = Object.keys(config.generates);
    const committed = folders.flatMap((folder) =>
      readdirSync(path.join(ROOT, folder)).map((name) => path.join(folder, name)),
    );
    expect(committed.filter((file) => !fresh.has(file)).sort()).toEqual([]);
  }, 120_000);
});
