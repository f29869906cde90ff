// Child process for bench/load.ts: lakeql over a directory lake, or a bare node:http server, printing its URL as a JSON line.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const mode = process.argv[2];

if (mode === 'bare') {
  // The floor: what node:http alone does per request on this machine, answering a body of the size lakeql answers.
  const body = Buffer.from(JSON.stringify({ data: { pad: 'x'.repeat(Number(process.env.BARE_BODY_BYTES ?? 1000)) } }));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/graphql-response+json; charset=utf-8',
        'content-length': body.length,
      });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () =>
    console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })),
  );
  process.on('SIGINT', () => server.close(() => process.exit(0)));
} else {
  // LAKEQL_* comes from the parent (lake directory, rate limit off, keys when asked).
  const app = await buildApp(loadConfig(), { log: () => {} });
  const url = await app.start();
  // With LOAD_PROFILE set, the main thread is sampled from SIGUSR2 (sent after the warm-up) to SIGINT:
  // exactly the measured run, which --cpu-prof cannot delimit.
  const profilePath = process.env.LOAD_PROFILE;
  const session = profilePath ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    process.on('SIGUSR2', () => void session.post('Profiler.start'));
  }
  console.log(JSON.stringify({ url }));
  process.on('SIGINT', async () => {
    if (session && profilePath) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(profilePath, JSON.stringify(profile));
    }
    await app.stop();
    process.exit(0);
  });
}
