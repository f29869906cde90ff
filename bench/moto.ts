// moto_server for the benches: a free port, the server started and answering, described as the test helpers' S3Server.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { S3Server } from '../test/support/s3-servers.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface BenchMoto {
  server: S3Server;
  stop(): void;
}

/** A moto_server of its own on a free port, once it answers (at most ~15 s). */
export async function startMoto(): Promise<BenchMoto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const server = {
    name: 'moto',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  } as S3Server;
  for (let i = 0; ; i++) {
    try {
      await fetch(server.endpoint);
      break;
    } catch {
      if (i > 150) {
        child.kill('SIGTERM');
        throw new Error('moto_server did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { server, stop: () => child.kill('SIGTERM') };
}
