// A server span per API request, continuing a caller's W3C `traceparent` when it sends one,
// and the Temporal client interceptor that carries the active span into the workflows the
// request starts. Spans name the route template (`POST /v1/notifications/{id}`), never the
// raw path or query, which can carry ids and signed tokens.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client/index.js';
import type { RequestHandler } from 'express';
import type { Telemetry } from '../common/tracing.js';
import { routeLabel } from './metrics.js';

export function httpTracing(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    const ctx = trace.setSpan(parent, span);
    res.once('finish', () => {
      const route = routeLabel(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    // Body parsing continues in the request's stream events: bound, they run in the span too.
    context.bind(ctx, req);
    context.bind(ctx, res);
    context.with(ctx, next);
  };
}

/** Interceptors for the API's Temporal client: workflow starts and signals carry the trace. */
export function temporalClientInterceptors(telemetry: Telemetry | undefined): ClientInterceptors {
  return telemetry ? { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: telemetry.tracer })] } : {};
}
