// Chromium for the browser tests: where it is, skip (saying why) or fail under CI=true when it is missing, and how it is launched.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = process.env.LAKEQL_CHROMIUM ?? '/usr/bin/chromium';
/** STACK.md: without the background-networking flags Chromium keeps dialling Google on a closed network. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Where screenshots go; CI keeps the folder. */
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const available = existsSync(CHROMIUM);

/**
 * A suite that needs Chromium. Without it the suite is skipped with a message, except under CI,
 * where it runs and launchChromium() fails it: a CI run must not pass by testing nothing.
 */
export function describeInChromium(name: string, body: () => void): void {
  const skip = !available && !process.env.CI;
  if (skip)
    console.log(`${name}: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium; CI makes this a failure)`);
  describe.skipIf(skip)(name, body);
}

/** First thing in beforeAll: a CI run without Chromium fails here, before any set-up, saying how to install it. */
export function requireChromium(): void {
  if (!available) throw new Error(`CI: no Chromium at ${CHROMIUM}; .ci/run installs it (apt-get install -y chromium)`);
}

/** Chromium with the flags above; close it in afterAll (`await browser?.close()`, before the app stops). */
export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
