// The two clients keep to themselves: the console imports nothing outside console/, the CLI nothing from console/, and each types its documents with its own generated module.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

/** Each relative import of the files under `folder`, as a path from the repository root. */
function relativeImports(folder: string): { file: string; target: string }[] {
  return sources(path.join(ROOT, folder)).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+['"](\.[^'"]+)['"]/g),
      ...text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]!);
    return specifiers.map((s) => ({
      file: path.relative(ROOT, file),
      target: path.relative(ROOT, path.resolve(path.dirname(file), s)),
    }));
  });
}

describe('client boundaries', () => {
  it('finds the imports it checks', () => {
    expect(relativeImports('console/src').some((i) => i.target === 'console/src/gql/gql.js')).toBe(true);
    expect(relativeImports('src/cli').some((i) => i.target === 'src/cli/gql/gql.js')).toBe(true);
  });

  it('the console imports nothing outside console/ (it is bundled for a browser and talks to the gateway over HTTP)', () => {
    expect(relativeImports('console').filter((i) => !i.target.startsWith('console/'))).toEqual([]);
  });

  it("the CLI imports nothing from console/, and neither client the other's generated types", () => {
    expect(relativeImports('src/cli').filter((i) => i.target.startsWith('console/'))).toEqual([]);
    expect(relativeImports('console').filter((i) => i.target.includes('cli/gql'))).toEqual([]);
  });
});
