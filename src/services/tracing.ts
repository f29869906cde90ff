// OpenTelemetry tracing, off unless the standard OTEL_* environment asks for it: whether it is on, and starting it (the SDK itself is in tracing-sdk.ts).
import type { TracerProvider } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

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
    const names = named
      .split(',')
      .map((n) => n.trim().toLowerCase())
      .filter(Boolean);
    if (names.includes('none')) return { exporters: [], warnings };
    for (const name of new Set(names)) {
      if (name === 'otlp' || name === 'console') exporters.push(name);
      else
        warnings.push(`OTEL_TRACES_EXPORTER: "${name}" is not an exporter lakeql has (otlp, console, none); ignored`);
    }
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
    exporters = ['otlp'];
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (exporters.includes('otlp') && protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') {
    warnings.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported; lakeql exports OTLP over HTTP as JSON (http/json), which collectors accept on their HTTP port (4318)`,
    );
  }
  return { exporters, warnings };
}

/**
 * Registers a tracer provider for the process when the environment (or a test) asks for one;
 * undefined, with nothing registered, otherwise. The SDK is imported only then: its modules take
 * seconds to load under tsx (measured: 2.6–5 s on a shared 2-core machine), which a gateway that
 * does not trace should not pay at every start.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv = process.env,
  options: TracingOptions = {},
): Promise<Tracing | undefined> {
  const settings = tracingSettings(env);
  for (const warning of settings.warnings) options.log?.(`tracing: ${warning}`);
  if (!options.exporter && settings.exporters.length === 0) return undefined;
  const { registerTracing } = await import('./tracing-sdk.js');
  return registerTracing(settings.exporters, options);
}
