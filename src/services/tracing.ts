// OpenTelemetry tracing, off unless the standard OTEL_* environment asks for it: the tracer provider, its exporters, and the AWS SDK's spans.
import { createRequire } from 'node:module';
import { context, propagation, trace, type TracerProvider } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { isWrapped, registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export type TraceExporterName = 'otlp' | 'console';

/** What the environment asks for; `exporters` is empty when tracing stays off. */
export interface TracingSettings {
  exporters: TraceExporterName[];
  /** Things the operator should know: unknown exporter names, an OTLP protocol we do not speak. */
  warnings: string[];
}

export interface Tracing {
  /** The registered provider, for yoga's operation spans (src/http/tracing.ts). */
  provider: TracerProvider;
  /** Exports what is buffered now (tests, before they look at an exporter). */
  flush(): Promise<void>;
  /** Exports what is still buffered, then unregisters the provider, the propagator and the SDK patch. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Tests: every span goes here at once (a SimpleSpanProcessor), whatever OTEL_* says. */
  exporter?: SpanExporter;
  log?: (message: string) => void;
}

/**
 * Reads the OpenTelemetry SDK variables that decide whether lakeql traces at all. The spec's
 * default exporter is otlp; lakeql's is none, so a gateway nobody configured sends nothing
 * anywhere: tracing is on when OTEL_TRACES_EXPORTER names an exporter, or when an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set and no exporter is named.
 * OTEL_SDK_DISABLED=true turns it off whatever else is set.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const warnings: string[] = [];
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { exporters: [], warnings };
  const named = env.OTEL_TRACES_EXPORTER?.trim();
  let exporters: TraceExporterName[] = [];
  if (named) {
    const names = named.split(',').map((n) => n.trim().toLowerCase()).filter(Boolean);
    if (names.includes('none')) return { exporters: [], warnings };
    for (const name of new Set(names)) {
      if (name === 'otlp' || name === 'console') exporters.push(name);
      else warnings.push(`OTEL_TRACES_EXPORTER: "${name}" is not an exporter lakeql has (otlp, console, none); ignored`);
    }
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
    exporters = ['otlp'];
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (exporters.includes('otlp') && protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') {
    warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; lakeql exports OTLP over HTTP as JSON (http/json), which collectors accept on their HTTP port (4318)`);
  }
  return { exporters, warnings };
}

/**
 * Registers a tracer provider for the process when the environment (or a test) asks for one;
 * undefined, with nothing registered, otherwise. Spans carry the resource from
 * OTEL_SERVICE_NAME (default "lakeql") and OTEL_RESOURCE_ATTRIBUTES; sampling follows
 * OTEL_TRACES_SAMPLER(_ARG), batching OTEL_BSP_*, the OTLP exporter its own OTEL_EXPORTER_OTLP_*
 * variables (endpoint, headers, timeout, compression): the SDK reads those itself.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env, options: TracingOptions = {}): Tracing | undefined {
  const settings = tracingSettings(env);
  for (const warning of settings.warnings) options.log?.(`tracing: ${warning}`);
  const processors: SpanProcessor[] = options.exporter
    ? [new SimpleSpanProcessor(options.exporter)]
    : settings.exporters.map((name) => (name === 'otlp' ? new BatchSpanProcessor(new OTLPTraceExporter()) : new SimpleSpanProcessor(new ConsoleSpanExporter())));
  if (processors.length === 0) return undefined;
  const provider = new NodeTracerProvider({
    // Later resources win: our default name, then what the environment says (OTEL_SERVICE_NAME first).
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'lakeql' })).merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: processors,
  });
  // The W3C trace context (traceparent, tracestate) and baggage, as the spec's default OTEL_PROPAGATORS.
  provider.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
  const unregisterAws = instrumentAwsSdk(provider, options.log);
  return {
    provider,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregisterAws();
      await provider.shutdown().catch((error: Error) => options.log?.(`tracing: could not export the last spans: ${error.message}`));
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * The AWS SDK instrumentation patches the SDK's `Client.prototype.send` when the SDK module is
 * required. Here the SDK was loaded long before (ESM imports are evaluated before any code runs,
 * and the SDK's CommonJS files load through `require`), so the hook would never fire: once the
 * instrumentation is enabled, the module that defines `Client` is required again, from the SDK's
 * own location. It comes from the require cache, the hook sees it and patches the very class the
 * S3 client extends. Without that patch S3 requests go untraced; a warning says so.
 */
function instrumentAwsSdk(provider: TracerProvider, log?: (message: string) => void): () => void {
  const instrumentation = new AwsInstrumentation({ suppressInternalInstrumentation: true });
  const unregister = registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: provider });
  let patched = false;
  try {
    const sdk = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-s3'));
    for (const id of ['@smithy/core/client', '@smithy/smithy-client']) {
      try {
        const loaded = sdk(id) as { Client?: { prototype: { send: unknown } } };
        if (loaded.Client && isWrapped(loaded.Client.prototype.send)) patched = true;
      } catch {
        // Not present in this SDK version: the other one is.
      }
    }
  } catch {
    // No AWS SDK installed: nothing to patch.
  }
  if (!patched) log?.('tracing: the AWS SDK could not be instrumented; S3 requests will not have spans');
  return unregister;
}
