// What to tell the user when a request fails: the gateway is down, a key is missing or lacks a scope, or the thing is not there.
import { GraphQLRequestError } from './graphql.js';

export interface Failure {
  kind: 'offline' | 'unauthenticated' | 'forbidden' | 'not-found' | 'error';
  message: string;
}

export function describeFailure(error: unknown): Failure {
  if (error instanceof GraphQLRequestError) {
    if (error.code === 'UNAUTHENTICATED' || error.status === 401)
      return { kind: 'unauthenticated', message: 'This gateway needs an API key: enter it at the top.' };
    if (error.code === 'FORBIDDEN' || error.status === 403)
      return { kind: 'forbidden', message: `Your API key may not do this: ${error.message}` };
    if (error.code === 'NOT_FOUND') return { kind: 'not-found', message: error.message };
    return { kind: 'error', message: error.message };
  }
  // fetch() rejects with a TypeError when nothing answers (gateway stopped, network down).
  if (error instanceof TypeError)
    return {
      kind: 'offline',
      message: `Cannot reach the lakeql gateway at ${location.origin}. Is it running? Nothing shown below is current.`,
    };
  return { kind: 'error', message: (error as Error)?.message ?? String(error) };
}
