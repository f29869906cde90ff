// One gateway process for the restart tests: the real app configured only by LAKEQL_* and AWS_* variables, printing its URL.
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const app = await buildApp(loadConfig(), { log: (message) => console.error(`[gateway ${process.pid}] ${message}`) });
console.log(JSON.stringify({ url: await app.start() }));
process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
