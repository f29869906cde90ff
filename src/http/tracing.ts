// GraphQL spans when tracing is on: the operation (@envelop/opentelemetry) under the caller's traceparent, and a span for each resolver named by the schema.
import { setCurrentOtelContext, useOpenTelemetry } from '@envelop/opentelemetry';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Span,
  type TextMapGetter,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface TracingPluginOptions {
  /** The registered provider (src/services/tracing.ts). */
  provider: TracerProvider;
  /** "Type.field" names of the resolvers that get spans; given by the entry point, as src/http does not import the schema. */
  fields: readonly string[];
}

const TRACER_NAME = 'lakeql';

/** Requests whose resolvers are traced, with the tracer to use: resolvers are wrapped once per schema, but only traced apps' requests make spans. */
const tracers = new WeakMap<object, Tracer>();
const WRAPPED = Symbol('lakeql.traced');

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * In this order, ahead of every other plugin that runs on execute: the parent context is read
 * from the request before the operation span is started, and that span (a SERVER span named
 * `query.Name`, `mutation.Name`, `subscription.Name`, with graphql.execute.* attributes) is
 * active while resolvers run. Variables and results are left out of spans: they may carry what a
 * trace backend should not keep. The document is kept when it has no inline argument values.
 */
export function tracingPlugins(options: TracingPluginOptions): Plugin[] {
  const tracer = options.provider.getTracer(TRACER_NAME);
  const begin = (contextValue: object) => {
    // A request that carries a W3C traceparent continues the caller's trace; the rest start their own.
    const request = (contextValue as { request?: Request }).request;
    setCurrentOtelContext(
      contextValue,
      request?.headers ? propagation.extract(ROOT_CONTEXT, request.headers, headerGetter) : context.active(),
    );
    tracers.set(contextValue, tracer);
  };
  const parent: Plugin = {
    onSchemaChange: ({ schema }) => wrapResolvers(schema, options.fields),
    onExecute: ({ args }) => begin(args.contextValue as object),
    onSubscribe: ({ args }) => begin(args.contextValue as object),
  };
  const operation = useOpenTelemetry(
    { resolvers: false, variables: false, result: false, document: true },
    options.provider,
    SpanKind.SERVER,
    {},
    TRACER_NAME,
  ) as Plugin;
  return [parent, operation];
}

/**
 * Wraps the named fields' resolvers in place, once: the schema object is shared by every app in
 * the process, and a request of an app without tracing finds no tracer and calls straight through.
 * Names the schema lacks are skipped (a test holds the list to the schema).
 */
function wrapResolvers(schema: GraphQLSchema, fields: readonly string[]): void {
  for (const name of fields) {
    const [typeName, fieldName] = name.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field || (field.resolve as { [WRAPPED]?: true } | undefined)?.[WRAPPED]) continue;
    const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
    const traced: GraphQLFieldResolver<unknown, unknown> = (source, args, contextValue, info) => {
      const tracer = tracers.get(contextValue as object);
      if (!tracer) return resolve(source, args, contextValue, info);
      const attributes = {
        'graphql.resolver.typeName': typeName,
        'graphql.resolver.fieldName': fieldName,
        'graphql.field.path': responsePath(info.path),
      };
      return tracer.startActiveSpan(name, { attributes }, (span) => {
        try {
          const result = resolve(source, args, contextValue, info);
          if (!isPromiseLike(result)) return settle(span, result);
          return Promise.resolve(result).then(
            (value) => settle(span, value),
            (error: unknown) => {
              settle(span, error instanceof Error ? error : new Error(String(error)));
              throw error;
            },
          );
        } catch (error) {
          settle(span, error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
      });
    };
    field.resolve = Object.assign(traced, { [WRAPPED]: true as const });
  }
}

/** Ends the span; an Error (thrown, or returned as graphql-js allows) marks it failed, by name and message only. */
function settle<T>(span: Span, result: T): T {
  if (result instanceof Error) {
    span.recordException({ name: result.name, message: result.message });
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
  }
  span.end();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** "symbol.bars.edges", list indexes included ("symbols.edges.0.node.years"). */
function responsePath(path: { prev: unknown; key: string | number } | undefined): string {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.prev as typeof path) keys.push(p.key);
  return keys.reverse().join('.');
}
