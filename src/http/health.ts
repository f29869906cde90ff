// /health answers while the process runs; /ready only while the store answers a one-key listing.
import type { Plugin } from 'graphql-yoga';
import type { ObjectStore } from '../lake/store/types.js';

export function healthPlugin(store: ObjectStore): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (url.pathname === '/health') return endResponse(json(200, { status: 'ok' }));
      if (url.pathname === '/ready') {
        return store.list({ maxKeys: 1 }).then(
          () => endResponse(json(200, { status: 'ready' })),
          (error: Error) => endResponse(json(503, { status: 'unavailable', reason: error.message })),
        );
      }
      if (url.pathname === '/')
        return endResponse(new Response(null, { status: 302, headers: { location: '/graphql' } }));
    },
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
