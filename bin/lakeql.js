#!/usr/bin/env node
// `npx lakeql`: runs the TypeScript CLI from source through tsx's loader in a checkout, or the compiled dist/ in a built image.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

// Sources win when present: a dist/ left by an old `npm run build` must not shadow edited code.
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(source.href);
  await main();
} else if (existsSync(compiled)) {
  const { main } = await import(compiled.href);
  await main();
} else {
  process.stderr.write('lakeql: neither src/cli/main.ts nor dist/cli/main.js is here; reinstall the package\n');
  process.exit(1);
}
