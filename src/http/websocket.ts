// graphql-ws on the same HTTP server and path as yoga: operations run through yoga's envelop, so plugins and masking apply.
import type { Server } from 'node:http';
import { execute, GraphQLError, subscribe, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';

type Enveloped = ReturnType<YogaServerInstance<Record<string, never>, never>['getEnveloped']>;

/**
 * Upgrades on yoga's endpoint become graphql-ws connections; anything else is left to other
 * upgrade handlers. The yoga context gets a fetch Request made from the upgrade request (plus
 * an `authorization` from connectionParams, as browsers cannot set headers on a WebSocket).
 * Returns a closer that ends every connection.
 */
export function attachWebSocket(server: Server, yoga: YogaServerInstance<Record<string, never>, never>): () => Promise<void> {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const disposable = useServer({
    execute: (args) => (args.rootValue as { execute: typeof execute }).execute(args as ExecutionArgs),
    subscribe: (args) => (args.rootValue as { subscribe: typeof subscribe }).subscribe(args as ExecutionArgs),
    onSubscribe: async (ctx, _id, payload) => {
      const upgrade = ctx.extra.request;
      const headers = new Headers();
      for (const [name, value] of Object.entries(upgrade.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) headers.set(name, value.join(', '));
      }
      const auth = (ctx.connectionParams as { authorization?: unknown } | undefined)?.authorization;
      if (typeof auth === 'string' && !headers.has('authorization')) headers.set('authorization', auth);
      const request = new Request(`http://${upgrade.headers.host ?? 'localhost'}${upgrade.url ?? yoga.graphqlEndpoint}`, { headers });
      const enveloped: Enveloped = yoga.getEnveloped({ ...ctx, req: upgrade, socket: ctx.extra.socket, params: payload, request } as never);
      let document;
      try {
        document = enveloped.parse(payload.query);
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return errors;
      let contextValue;
      try {
        contextValue = await enveloped.contextFactory();
      } catch (error) {
        // Refusals while building the context (UNAUTHENTICATED, RATE_LIMITED) go to the client as an
        // error message for this operation; thrown, graphql-ws would close the socket with 4500.
        if (error instanceof Error && 'extensions' in error) return [error as GraphQLError];
        throw error;
      }
      return {
        schema: enveloped.schema,
        operationName: payload.operationName,
        document,
        variableValues: payload.variables,
        contextValue,
        rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
      };
    },
  }, wss);
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
