// A scripted HTTP server for SSE clients: each POST gets the next scripted answer, written in the given chunks, so tests control line endings and chunk borders.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Written one by one, with a macrotask between them so each reaches the client as its own read. */
  chunks: (string | Uint8Array)[];
  /** Leave the response open after the last chunk (the client must end it). */
  hold?: boolean;
}

export interface SeenRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the client closes its side (a subscription it stopped). */
  closed: Promise<void>;
}

export interface SseServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export const EVENT_STREAM = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** Answers the n-th request with `answers[n]` (the last one repeats). Listens on a free port. */
export async function sseServer(answers: ScriptedAnswer[]): Promise<SseServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const answer = answers[Math.min(requests.length, answers.length - 1)]!;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    const closed = new Promise<void>((resolve) => res.on('close', () => resolve()));
    req.on('end', async () => {
      requests.push({ method: req.method ?? '', headers: req.headers, body, closed });
      res.writeHead(answer.status ?? 200, answer.headers ?? EVENT_STREAM);
      res.flushHeaders();
      for (const chunk of answer.chunks) {
        if (res.destroyed) return;
        res.write(chunk);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (!answer.hold) res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits `text` as UTF-8 bytes at the given offsets: borders may fall inside a line ending or a multi-byte character. */
export function splitBytes(text: string, borders: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const cuts = [...new Set(borders.filter((b) => b > 0 && b < bytes.length))].sort((a, b) => a - b);
  return [0, ...cuts].map((start, i) => bytes.subarray(start, cuts[i] ?? bytes.length));
}
