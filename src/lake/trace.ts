// Spans for lake work through the OpenTelemetry API alone: no-ops unless the composition root registered a tracer provider (src/services/tracing.ts).
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

/** The instrumentation scope of every span lakeql makes itself. */
export const TRACER_NAME = 'lakeql';

/**
 * Runs `work` inside a new active span, the child of whatever span is active (a resolver's, a
 * job's), and ends it with the outcome: an error is recorded and marks the span failed. The tracer
 * is asked for on each call, not kept: a provider registered (or replaced) after this module loaded
 * is then the one used. With no provider the API hands out non-recording spans, which cost nothing.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind = SpanKind.INTERNAL,
): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with `error`: its name and message, never a stack (spans leave the process). */
export function failSpan(span: Span, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  span.recordException({ name: e.name, message: e.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}
