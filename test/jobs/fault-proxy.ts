// A loopback HTTP proxy between lakeql and an S3 server that injects 503 SlowDown, connection resets and latency.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'slowdown' | 'reset' | 'reset-mid-body';

export interface ProxiedRequest {
  method: string;
  path: string;
  fault?: Fault;
}

export interface FaultProxyOptions {
  /** Share of requests that get a fault, decided by a seeded generator so runs repeat. */
  faultRate?: number;
  seed?: number;
  /** Extra latency before a request is forwarded. */
  delayMs?: (request: ProxiedRequest) => number;
}

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  faults(): Record<Fault, number>;
  close(): Promise<void>;
}

const SLOW_DOWN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>lakeql-test</RequestId></Error>';

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  let state = (options.seed ?? 42) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4_294_967_296;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const server = http.createServer((req, res) => {
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    requests.push(record);
    if (random() < (options.faultRate ?? 0)) {
      const r = random();
      record.fault = r < 0.5 ? 'slowdown' : r < 0.75 ? 'reset' : 'reset-mid-body';
    }
    if (record.fault === 'slowdown') {
      req.resume();
      req.on('end', () =>
        res
          .writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(SLOW_DOWN) })
          .end(SLOW_DOWN),
      );
      return;
    }
    if (record.fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (record.fault === 'reset-mid-body') {
      // Let some of the body in, then cut the connection (a reset while the client is still sending).
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    const forward = () => {
      const out = http.request(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.on('close', () => {
        if (!req.complete) out.destroy();
      });
      req.pipe(out);
    };
    const delay = options.delayMs?.(record) ?? 0;
    if (delay > 0) setTimeout(forward, delay);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults: () => {
      const counts: Record<Fault, number> = { slowdown: 0, reset: 0, 'reset-mid-body': 0 };
      for (const r of requests) if (r.fault) counts[r.fault]++;
      return counts;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
