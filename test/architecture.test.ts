// The dependency rule, checked on the import lines: entry → http → schema → resolvers → lake, services built once.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

/** The top-level folder under src/ that a relative import lands in, or the package name. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return relative(SRC, join(file, '..', specifier)).split('/')[0]!;
}

function violations(folder: string, forbidden: (target: string) => boolean): string[] {
  return sources(join(SRC, folder)).flatMap((file) =>
    imports(file)
      .filter((s) => forbidden(target(file, s)))
      .map((s) => `${relative(SRC, file)} imports ${s}`),
  );
}

describe('dependency rule', () => {
  it('finds the imports it checks (the scanner itself works)', () => {
    expect(imports(join(SRC, 'app.ts'))).toContain('./services/services.js');
    expect(sources(SRC).length).toBeGreaterThan(100);
  });

  it('nothing in src/http imports src/schema or src/resolvers', () => {
    expect(violations('http', (t) => t === 'schema' || t === 'resolvers')).toEqual([]);
  });

  it('src/lake knows no GraphQL and nothing above it', () => {
    const above = new Set(['http', 'schema', 'resolvers', 'services', 'app.ts', 'main.ts', 'cli']);
    expect(
      violations('lake', (t) => above.has(t) || /^(graphql|graphql-yoga|@pothos\/|@graphql-yoga\/|@envelop\/)/.test(t)),
    ).toEqual([]);
  });

  it('src/lake traces through the OpenTelemetry API alone (a no-op until src/services registers a provider)', () => {
    expect(violations('lake', (t) => t.startsWith('@opentelemetry/') && t !== '@opentelemetry/api')).toEqual([]);
  });

  it('src/resolvers never reaches up into src/http or src/schema', () => {
    expect(violations('resolvers', (t) => t === 'http' || t === 'schema')).toEqual([]);
  });

  it('src/services depends only on the lake, config and logging', () => {
    expect(violations('services', (t) => t === 'http' || t === 'schema' || t === 'resolvers')).toEqual([]);
  });

  it('only src/lake/store/s3/ imports the AWS SDK', () => {
    const offenders = sources(SRC)
      .filter((file) => !/\/lake\/store\/s3\//.test(file))
      .flatMap((file) =>
        imports(file)
          .filter((s) => s.startsWith('@aws-sdk/'))
          .map((s) => `${relative(SRC, file)} imports ${s}`),
      );
    expect(offenders).toEqual([]);
  });
});
