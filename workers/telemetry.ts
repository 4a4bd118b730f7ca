// What the worker adds around every activity: the log scope (tenant, notification, workflow,
// trace), the schedule-to-start metric, and — when tracing is on — Temporal's OpenTelemetry
// interceptors, which continue the trace the API started into each activity, and the sink
// through which workflows export their spans.
import { trace } from '@opentelemetry/api';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker/index.js';
import type { OpenTelemetryWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions.js';
import type { ActivityInterceptorsFactory, InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { withLogFields } from '../common/log-context.js';
import { observeScheduleToStart, type HeraldMetrics } from '../common/metrics.js';
import type { Telemetry } from '../common/tracing.js';

/** The workflow type whose workflow id is the notification id (so are scheduled and digest sends'). */
const NOTIFICATION_WORKFLOW = 'notificationWorkflow';

function stringField(arg: unknown, key: string): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const v = (arg as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** Log scope and schedule-to-start latency for each activity attempt. */
export function activityScope(metrics: HeraldMetrics | undefined): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const info = ctx.info;
        observeScheduleToStart(metrics, { taskQueue: info.taskQueue, activityType: info.activityType, scheduledAtMs: info.currentAttemptScheduledTimestampMs });
        // Activity inputs name their tenant (and most their notification): `{ tenantId, … }`.
        const arg: unknown = input.args[0];
        const workflowId = info.workflowExecution?.workflowId;
        const notificationId = stringField(arg, 'notificationId') ?? (info.workflowType === NOTIFICATION_WORKFLOW ? workflowId : undefined);
        // Inside the tracing interceptor (listed before this one), so the activity's span is active.
        const span = trace.getActiveSpan()?.spanContext();
        return withLogFields(
          {
            tenantId: stringField(arg, 'tenantId'),
            notificationId,
            workflowId,
            activity: info.activityType,
            ...(span ? { traceId: span.traceId, spanId: span.spanId } : {}),
          },
          () => next(input),
        );
      },
    },
  });
}

export function workerInterceptors(telemetry: Telemetry | undefined, metrics: HeraldMetrics | undefined): WorkerInterceptors {
  const activity: ActivityInterceptorsFactory[] = [];
  if (telemetry) {
    activity.push((ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: telemetry.tracer }),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }));
  }
  activity.push(activityScope(metrics));
  return { activity };
}

/**
 * The sink traced workflows export their spans through. Always registered: a run started by
 * a traced API still reaches a worker with tracing off, whose sink then drops its spans
 * (an unregistered sink would log an error on every workflow task).
 */
export function workflowSinks(telemetry: Telemetry | undefined): InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> {
  if (telemetry) return { exporter: makeWorkflowExporter(telemetry.spanProcessor, telemetry.resource) };
  return { exporter: { export: { fn: () => undefined } } };
}
