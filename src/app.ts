// buildApp(config) → { yoga, start, stop }: the whole gateway, built apart from the listener so tests can call yoga.fetch.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import { barsExportPlugin } from './http/bars-export.js';
import { filesPlugin } from './http/files.js';
import { healthPlugin } from './http/health.js';
import { graphiqlHeaders, securityPlugins, type SecurityDeps } from './http/security.js';
import { ensureDemoLake } from './lake/demo/create-demo-lake.js';
import { openStore, type LakeLocation } from './lake/store/open.js';
import { isPresigner, type ObjectStore } from './lake/store/types.js';
import { UrlSigner } from './lake/url-signer.js';
import { BarFileReader } from './lake/bars/reader.js';
import { createContext, type Context, type Services } from './resolvers/context.js';
import { maskError } from './schema/errors.js';
import { schema } from './schema/index.js';

export interface AppDeps {
  /** Use this store instead of opening `config.lake` (tests pass instrumented stores). */
  store?: ObjectStore;
  location?: LakeLocation;
  log?: (message: string) => void;
  /** Bar reader (and so its caches and decode pool) to use; tests pass one to watch or size its cache. */
  bars?: BarFileReader;
  /** Clock, timer and JWT key seams for the security tests. */
  security?: SecurityDeps;
}

export interface App {
  yoga: YogaServerInstance<Record<string, never>, Context>;
  services: Services;
  /** Fills the demo lake if asked, then listens; resolves with the URL served. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const log = deps.log ?? ((message: string) => console.log(message));
  const opened = deps.store
    ? { store: deps.store, location: deps.location ?? ({ kind: 'local', directory: '(given store)' } as LakeLocation), close: () => {} }
    : await openStore(config.lake);
  const { store, location } = opened;
  const services: Services = {
    config,
    store,
    location,
    presigner: isPresigner(store) ? store : undefined,
    urlSigner: new UrlSigner(config.urlSecret),
    bars: deps.bars ?? new BarFileReader(store),
  };

  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    context: ({ request }) => createContext(services, request),
    maskedErrors: { maskError },
    graphiql: { title: 'lakeql', defaultQuery: DEFAULT_QUERY, ...graphiqlHeaders(config) },
    // Body size is bodyLimitPlugin's (src/http/limits.ts): one cap for JSON, another for uploads.
    maxRequestBodySize: false,
    landingPage: false,
    plugins: [...securityPlugins(config, deps.security), healthPlugin(store), filesPlugin(store, services.urlSigner), barsExportPlugin(services)],
  });

  let server: Server | undefined;
  return {
    yoga,
    services,
    async start() {
      if (location.kind === 'local' && config.demo === 'auto') {
        const started = Date.now();
        const written = await ensureDemoLake(store);
        if (written) log(`created the demo lake in ${location.directory} (${Date.now() - started} ms)`);
      }
      server = createServer(yoga);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}${yoga.graphqlEndpoint}`;
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (closing) {
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
      }
      opened.close();
    },
  };
}

const DEFAULT_QUERY = `# lakeql: the US-equity data lake over GraphQL. Try:
{
  lake { kind url }
  symbols(first: 5) {
    edges {
      node {
        ticker
        years {
          year
          tickFile { key size lastModified downloadUrl }
          fundamentals { quarter revenue netIncome eps }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
