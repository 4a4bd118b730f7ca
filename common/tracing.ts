// OpenTelemetry traces, exported over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is
// set. Each process part (the API, the workers) gets a tracer provider of its own that is
// handed to whatever makes spans, never registered as the global one: a test process runs
// an API and workers side by side, each with its own service name and its own shutdown.
// Only the context manager and the propagator are process-wide, as OpenTelemetry requires
// for context to follow async calls and for the Temporal interceptors' headers.
import { context, propagation, type Span, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from './config.js';

export interface Telemetry {
  tracer: Tracer;
  /** Also receives the spans workflows export through their sink. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends every span ended so far. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

let contextInstalled = false;

/** Async context and W3C trace-context propagation for the whole process; a no-op after the first call. */
function installContext(): void {
  if (contextInstalled) return;
  contextInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

export function createTelemetry(config: TracingConfig, defaultServiceName: string): Telemetry {
  installContext();
  const resource = new Resource({ 'service.name': config.serviceName ?? defaultServiceName });
  // JSON over HTTP: what every collector accepts and what a test can read without protobuf.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }), { scheduledDelayMillis: 1000 });
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  return {
    tracer: provider.getTracer('herald'),
    spanProcessor,
    resource,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Runs `fn` in a span that ends with it; a thrown error marks the span failed (its type only, never its message). */
export async function inSpan<T>(
  tracer: Tracer | undefined,
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span | undefined) => Promise<T>,
  describeError: (err: unknown) => Record<string, string> = () => ({}),
): Promise<T> {
  if (!tracer) return fn(undefined);
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await fn(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (err) {
      // Provider replies can quote the recipient's address, so the message stays out of traces.
      const described = describeError(err);
      span.setAttributes(described);
      span.setStatus({ code: SpanStatusCode.ERROR, message: described['error.type'] ?? 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}
