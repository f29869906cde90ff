// Shutdown gate: once the gateway is stopping, new requests and operations get 503 SHUTTING_DOWN instead of starting work.
import type { Plugin } from 'graphql-yoga';
import { errorResponse, gatewayError } from './error-response.js';

export interface Drain {
  stopping: boolean;
}

/**
 * Why a gate and not just server.close(): close() only stops new connections, and keep-alive
 * connections (and open WebSockets) could still start a job after the jobs were cancelled.
 * Probes keep answering, so /ready can report the instance going away.
 */
export function drainPlugin(drain: Drain): Plugin {
  const refuse = () =>
    gatewayError(
      503,
      'SHUTTING_DOWN',
      'this instance is shutting down; retry on another',
      {},
      { connection: 'close', 'retry-after': '1' },
    );
  return {
    onRequest({ url, endResponse }) {
      if (!drain.stopping || url.pathname === '/health' || url.pathname === '/ready') return;
      endResponse(
        errorResponse(503, 'SHUTTING_DOWN', 'this instance is shutting down; retry on another', {
          connection: 'close',
          'retry-after': '1',
        }),
      );
    },
    onExecute({ setResultAndStopExecution }) {
      if (drain.stopping) setResultAndStopExecution({ errors: [refuse()] });
    },
    onSubscribe({ setResultAndStopExecution }) {
      if (drain.stopping) setResultAndStopExecution({ errors: [refuse()] });
    },
  };
}
