// The console's hand-typed GraphQL documents stay valid against the schema, and the console type-checks on its own tsconfig.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ALL_DOCUMENTS } from '../../console/src/documents.js';
import { schema } from '../../src/schema/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('console GraphQL documents', () => {
  for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
    it(`${name} is valid against the schema`, () => {
      const errors = validate(schema, parse(document.toString()));
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }

  it("type-checks with the console's own tsconfig (DOM, bundler resolution)", async () => {
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const run = await promisify(execFile)(process.execPath, [tsc, '-p', 'console/tsconfig.json'], { cwd: ROOT }).catch(
      (error: { stdout: string }) => error,
    );
    expect(run.stdout).toBe('');
  });
});
