// Workflow interceptors of the bundle (workers/workflow-bundle.ts): Temporal's OpenTelemetry
// interceptors, engaged only for runs whose starter sent a trace context (the API with
// tracing on puts it in the `_tracer-data` header). A run started without one — tracing
// off, or before tracing existed (the recorded histories) — runs exactly as it did: no
// spans, no extra headers on its activities, no sink calls. Whether a run is traced is
// read from its history (the start and signal headers), so replay decides the same way.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type { Headers } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The header Temporal's OpenTelemetry interceptors carry the W3C trace context in. */
const TRACE_HEADER = '_tracer-data';

export const interceptors = (): WorkflowInterceptors => {
  let otel: { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor } | undefined;
  // Created at the first traced input: their tracer is made on construction.
  const tracedBy = (headers: Headers) => {
    if (!otel && TRACE_HEADER in headers) otel = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor() };
    return otel;
  };
  return {
    inbound: [
      {
        execute: (input, next) => {
          const o = tracedBy(input.headers);
          return o ? o.inbound.execute(input, next) : next(input);
        },
        handleSignal: (input, next) => {
          const o = tracedBy(input.headers);
          return o ? o.inbound.handleSignal(input, next) : next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => (otel ? otel.outbound.scheduleActivity(input, next) : next(input)),
        scheduleLocalActivity: (input, next) => (otel ? otel.outbound.scheduleLocalActivity(input, next) : next(input)),
        startChildWorkflowExecution: (input, next) => (otel ? otel.outbound.startChildWorkflowExecution(input, next) : next(input)),
        signalWorkflow: (input, next) => (otel ? otel.outbound.signalWorkflow(input, next) : next(input)),
        continueAsNew: (input, next) => (otel ? otel.outbound.continueAsNew(input, next) : next(input)),
        getLogAttributes: (input, next) => (otel ? otel.outbound.getLogAttributes(input, next) : next(input)),
      },
    ],
    // Releases the context manager of a traced run; a no-op for the others.
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
