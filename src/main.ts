// The only file that listens: reads the environment, builds the app, serves until SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './app.js';
import { ensureConsoleBuilt } from './console-build.js';
import { Metrics } from './http/metrics.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`lakeql: invalid configuration: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  for (const warning of config.warnings) logger.warn(warning);
  // A fresh clone has no console/dist: build it here so `npm start` is the only step (a few seconds, once).
  const built = await ensureConsoleBuilt({ log: (message) => logger.info(message) }).catch((error: Error) => ({
    status: 'unavailable' as const,
    reason: error.message,
  }));
  if (built.status === 'built') logger.info({ ms: built.ms }, 'built the web console');
  if (built.status === 'unavailable') logger.warn(`web console not served: ${built.reason}`);
  const app = await buildApp(config, { logger, metrics: new Metrics() });
  const shutdown = async (signal: string) => {
    logger.info(`lakeql: ${signal}, shutting down (at most ${config.shutdownTimeoutMs} ms)`);
    // app.stop() keeps to the bound itself; this backstop ends the process even if something in it hangs.
    setTimeout(() => {
      logger.error('lakeql: shutdown overran LAKEQL_SHUTDOWN_TIMEOUT_MS; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1000).unref();
    await app.stop();
    process.exit(0);
  };
  // Before the address is announced: a supervisor (or a person) may signal as soon as it reads the line, and a
  // signal with no listener yet would kill the process outright instead of stopping it gracefully.
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  const url = await app.start();
  const lake =
    app.services.location.kind === 's3' ? `s3://${(app.services.location as { bucket: string }).bucket}` : config.lake;
  const where = { lake, console: new URL('/', url).href, graphiql: url, metrics: new URL('/metrics', url).href };
  // A person at a terminal gets the addresses as plain lines; a log collector gets only JSON.
  if (process.stdout.isTTY) process.stdout.write(startBanner(where));
  logger.info(
    { lake, graphiql: url, console: where.console, metrics: where.metrics },
    `lakeql serving ${lake} — console at ${where.console}, GraphiQL at ${url}`,
  );
}

function startBanner(where: { lake: string; console: string; graphiql: string; metrics: string }): string {
  return [
    '',
    `  lakeql is serving ${where.lake}`,
    '',
    `  Console    ${where.console}`,
    `  GraphiQL   ${where.graphiql}`,
    `  Metrics    ${where.metrics}`,
    '',
    '  Ctrl-C stops it. JSON logs follow.',
    '',
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(`lakeql: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
