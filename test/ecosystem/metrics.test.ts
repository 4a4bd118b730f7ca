// /metrics: Prometheus text from a registry of the app's own, with request latency and
// status codes per route template that move when a notification is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, observeScheduleToStart, recordDelivery, recordProviderError } from '../../common/metrics.js';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

/** The value of one sample line, e.g. `name{a="b"}`, or 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('API metrics', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  const scrape = async () => {
    const res = await fetch(`${stack.api.opsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('counts requests and latency per route template and status, moving after a send', async () => {
    const before = await scrape();
    expect(before).toContain('# TYPE herald_http_request_duration_seconds histogram');
    expect(before).toContain('herald_process_cpu_seconds_total');
    const sendSeries = 'herald_http_requests_total{method="POST",route="/v1/notifications",status="202"}';
    expect(sample(before, sendSeries)).toBe(0);

    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    expect(res.status).toBe(202);
    await waitForFinal(stack, res.body.id);
    await stack.request('GET', '/v1/notifications/ntf_missing');

    const after = await scrape();
    expect(sample(after, sendSeries)).toBe(1);
    expect(sample(after, 'herald_http_request_duration_seconds_count{method="POST",route="/v1/notifications",status="202"}')).toBe(1);
    expect(sample(after, 'herald_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/v1/notifications",status="202"}')).toBe(1);
    // Ids in paths collapse into the template, so series stay bounded.
    expect(sample(after, 'herald_http_requests_total{method="GET",route="/v1/notifications/{id}",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'herald_http_requests_total{method="GET",route="/v1/notifications/{id}",status="404"}')).toBe(1);
    expect(after).not.toContain('ntf_');
  });

  it('gives every app its own registry', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.httpRequests.inc({ method: 'GET', route: '/x', status: '200' });
    expect(await a.registry.metrics()).toContain('route="/x"');
    expect(await b.registry.metrics()).not.toContain('route="/x"');
  });
});

describe('worker metrics functions', () => {
  it('count deliveries by status/channel/provider, provider errors, and schedule-to-start per task queue', async () => {
    const m = createMetrics({ processMetrics: false });
    recordDelivery(m, { status: 'sent', channel: 'email', provider: 'smtp-main' });
    recordDelivery(m, { status: 'sent', channel: 'email', provider: 'smtp-main' });
    recordDelivery(m, { status: 'failed', channel: 'sms', provider: null });
    recordProviderError(m, { channel: 'sms', provider: 'twilio', code: 'RATE_LIMITED' });
    observeScheduleToStart(m, { taskQueue: 'herald-high', activityType: 'deliver', scheduledAtMs: 1_000, startedAtMs: 1_250 });
    const text = await m.registry.metrics();
    expect(sample(text, 'herald_deliveries_total{status="sent",channel="email",provider="smtp-main"}')).toBe(2);
    expect(sample(text, 'herald_deliveries_total{status="failed",channel="sms",provider="none"}')).toBe(1);
    expect(sample(text, 'herald_provider_errors_total{channel="sms",provider="twilio",code="RATE_LIMITED"}')).toBe(1);
    expect(sample(text, 'herald_activity_schedule_to_start_seconds_sum{task_queue="herald-high",activity="deliver"}')).toBe(0.25);
    expect(sample(text, 'herald_activity_schedule_to_start_seconds_bucket{le="0.25",task_queue="herald-high",activity="deliver"}')).toBe(1);
  });
});
