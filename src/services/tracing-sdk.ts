// The OpenTelemetry SDK, loaded only when tracing is on (tracing.ts): the tracer provider, its exporters and propagators, and the AWS SDK's spans.
import { createRequire } from 'node:module';
import { context, propagation, trace, type TracerProvider } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { isWrapped, registerInstrumentations } from '@opentelemetry/instrumentation';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TraceExporterName, Tracing, TracingOptions } from './tracing.js';

/**
 * Registers the process's tracer provider with a processor per exporter (or the test's exporter
 * alone). Spans carry the resource from
 * OTEL_SERVICE_NAME (default "lakeql") and OTEL_RESOURCE_ATTRIBUTES; sampling follows
 * OTEL_TRACES_SAMPLER(_ARG), batching OTEL_BSP_*, the OTLP exporter its own OTEL_EXPORTER_OTLP_*
 * variables (endpoint, headers, timeout, compression): the SDK reads those itself.
 */
export function registerTracing(exporters: TraceExporterName[], options: TracingOptions): Tracing {
  const processors: SpanProcessor[] = options.exporter
    ? [new SimpleSpanProcessor(options.exporter)]
    : exporters.map((name) =>
        name === 'otlp'
          ? new BatchSpanProcessor(new OTLPTraceExporter())
          : new SimpleSpanProcessor(new ConsoleSpanExporter()),
      );
  const provider = new NodeTracerProvider({
    // Later resources win: our default name, then what the environment says (OTEL_SERVICE_NAME first).
    resource: defaultResource()
      .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'lakeql' }))
      .merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: processors,
  });
  // The W3C trace context (traceparent, tracestate) and baggage, as the spec's default OTEL_PROPAGATORS.
  provider.register({
    propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  const unregisterAws = instrumentAwsSdk(provider, options.log);
  return {
    provider,
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregisterAws();
      await provider
        .shutdown()
        .catch((error: Error) => options.log?.(`tracing: could not export the last spans: ${error.message}`));
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
