// Writes the README's configuration table from SETTINGS (between the settings markers); a test fails when the README drifts from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../src/config.js';
import { isDescribedDefault } from '../src/config/parse.js';

export const README_FILE = fileURLToPath(new URL('../README.md', import.meta.url));
export const START_MARKER =
  '<!-- settings table: generated from SETTINGS in src/config.ts by `npx tsx scripts/settings-table.ts` -->';
export const END_MARKER = '<!-- end of settings table -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The table in SETTINGS order: a default that is a value in code font, a described one ("(none)") as words. */
export function settingsTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, { default: fallback, doc }]) => {
    const shown = isDescribedDefault(fallback) ? fallback.slice(1, -1) : `\`${fallback}\``;
    return `| \`${name}\` | ${cell(shown)} | ${cell(doc)} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The text between the markers (without them), or undefined when the markers are missing. */
export function tableInReadme(readme: string): string | undefined {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START_MARKER.length, end).trim();
}

export function withTable(readme: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README.md has no "${START_MARKER}" … "${END_MARKER}" section`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${settingsTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(README_FILE, withTable(readFileSync(README_FILE, 'utf8')));
}
