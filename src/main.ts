// The only file that listens: reads the environment, builds the app, serves until SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { buildApp } from './app.js';

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
  const app = await buildApp(config);
  const url = await app.start();
  console.log(`lakeql serving ${app.services.location.kind === 's3' ? `s3://${(app.services.location as { bucket: string }).bucket}` : config.lake} — GraphiQL at ${url}`);
  const shutdown = async (signal: string) => {
    console.log(`lakeql: ${signal}, shutting down`);
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`lakeql: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
