// The worker process's own observability: its /metrics (Herald's delivery, provider-error,
// circuit and schedule-to-start series, with the Temporal SDK's metrics on the same page)
// moving after real sends, and its log lines about a notification carrying the tenant,
// notification and workflow they are about.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../common/free-port.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

/** The value of one sample line, e.g. `name{a="b"}`, or 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Sum of every sample of `name` whose labels include all of `labels`. */
function sum(text: string, name: string, labels: Record<string, string>): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('worker metrics and logs', () => {
  let stack: TestStack;
  const lines: Record<string, unknown>[] = [];
  const logTo = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });

  beforeAll(async () => {
    stack = await startStack({
      logTo,
      env: { LOG_LEVEL: 'debug', HERALD_WORKER_METRICS_PORT: '0', HERALD_WORKER_METRICS_HOST: '127.0.0.1', HERALD_CIRCUIT_FAILURES: '1' },
    });
    await seedEmail(stack, { email: 'ada.lovelace@example.com' });
  });
  afterAll(() => stack?.stop());

  const scrape = async () => {
    const url = stack.workers.metricsServer?.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('serves Herald and Temporal SDK metrics that move after a send', async () => {
    const before = await scrape();
    expect(before).toContain('# TYPE herald_deliveries_total counter');
    expect(before).toContain('# TYPE herald_activity_schedule_to_start_seconds histogram');
    expect(before).toContain('herald_process_cpu_seconds_total');
    const sent = 'herald_deliveries_total{status="sent",channel="email",provider="smtp-default",priority="high"}';
    expect(sample(before, sent)).toBe(0);
    const highQueue = `${stack.config.taskQueuePrefix}-high`;

    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' }, priority: 'high' });
    expect(res.status).toBe(202);
    expect((await waitForFinal(stack, res.body.id)).status).toBe('completed');

    const after = await scrape();
    expect(sample(after, sent)).toBe(1);
    expect(sample(after, `herald_activity_schedule_to_start_seconds_count{task_queue="${highQueue}",activity="deliver"}`)).toBe(1);
    expect(sum(after, 'herald_activity_schedule_to_start_seconds_count', { task_queue: highQueue })).toBeGreaterThanOrEqual(3); // prepare, deliver, finalize
    // The SDK's own series, from the Temporal runtime, on the same page.
    expect(after).toMatch(/^temporal_/m);
    expect(sum(after, 'temporal_activity_schedule_to_start_latency_count', { task_queue: highQueue })).toBeGreaterThanOrEqual(1);
    expect(sum(after, 'temporal_activity_execution_latency_count', { task_queue: highQueue, activity_type: 'deliver' })).toBeGreaterThanOrEqual(1);
    // Neither ids nor addresses become labels.
    expect(after).not.toContain(res.body.id);
    expect(after).not.toContain('ada.lovelace');
  });

  it('counts provider errors and shows the open circuit of a provider that fails', async () => {
    // A tenant of its own, so the first tenant's cached provider list does not matter.
    const key = await createKeyForTest(stack.db, 'broken-mail', ['admin']);
    const as = (method: string, path: string, body?: unknown) => stack.request(method, path, body, { key });
    const closed = await freePort(); // nothing listens there
    // The dead server is on loopback: the tenant allowlists it, as it would a private relay.
    expect((await as('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status).toBe(200);
    const put = await as('PUT', '/v1/providers/broken-smtp', { channel: 'email', kind: 'smtp', config: { url: `smtp://127.0.0.1:${closed}`, from: 'a@b.example' } });
    expect(put.status).toBeLessThan(300);
    expect((await as('PUT', '/v1/templates/welcome', { email: { subject: 'Hi', text: 'Hello' } })).status).toBeLessThan(300);
    expect((await as('POST', '/v1/templates/welcome/publish')).status).toBe(201);
    expect((await as('PUT', '/v1/users/bob', { name: 'Bob', email: 'bob.broken@example.com' })).status).toBeLessThan(300);
    const before = await scrape();
    expect(sum(before, 'herald_provider_circuits', { channel: 'email', kind: 'smtp', state: 'closed' })).toBe(1);

    const res = await as('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['bob'] } });
    expect(res.status).toBe(202);

    // The first attempt fails and opens the circuit (HERALD_CIRCUIT_FAILURES=1); retries follow.
    const after = await eventually(async () => {
      const text = await scrape();
      return sum(text, 'herald_provider_errors_total', { channel: 'email', provider: 'broken-smtp' }) >= 1 &&
        sum(text, 'herald_provider_circuits', { channel: 'email', kind: 'smtp', state: 'closed' }) === 0
        ? text
        : undefined;
    }, 15_000, 200);
    expect(sum(after, 'herald_provider_circuits', { channel: 'email', kind: 'smtp', state: 'open' }) + sum(after, 'herald_provider_circuits', { channel: 'email', kind: 'smtp', state: 'half_open' })).toBe(1);

    // Its log line: the failed attempt, naming tenant, notification and workflow — not the address.
    const retry = await eventually(async () => lines.find((l) => l.notificationId === res.body.id && l.msg === 'delivery attempt failed; will retry'), 15_000);
    expect(retry).toMatchObject({ level: 30, tenantId: 'broken-mail', workflowId: res.body.id, channel: 'email', provider: 'broken-smtp', errorCode: expect.any(String) });
    expect(JSON.stringify(lines)).not.toContain('bob.broken');

    // Ends the retrying run (it does not need to finish for this test).
    expect((await as('POST', `/v1/notifications/${res.body.id}/cancel`)).status).toBeLessThan(300);
  });

  it('puts tenant, notification and workflow ids on every worker log line about a notification', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    expect(res.status).toBe(202);
    await waitForFinal(stack, res.body.id);
    const tenantId = (await stack.db.selectFrom('notifications').select('tenant_id').where('id', '=', res.body.id).executeTakeFirstOrThrow()).tenant_id;

    // Worker lines are those written inside an activity (`activity`) or by the tracker.
    const worker = lines.filter((l) => typeof l.activity === 'string' || l.component === 'tracker');
    const about = worker.filter((l) => JSON.stringify(l).includes(res.body.id));
    expect(about.length).toBeGreaterThanOrEqual(3);
    for (const l of about) expect(l, JSON.stringify(l)).toMatchObject({ tenantId, notificationId: res.body.id, workflowId: res.body.id });
    const messages = about.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['delivery queued', 'delivery sent', 'notification finished']));
    expect(about.find((l) => l.msg === 'delivery sent')).toMatchObject({ deliveryId: expect.any(String), channel: 'email', provider: 'smtp-default' });
    // Ids, not addresses.
    expect(lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain('ada.lovelace');
  });

  it('leaves runs started without a trace context untraced (tracing is off by default)', async () => {
    expect(stack.workers.telemetry).toBeUndefined();
    expect(stack.apiTelemetry).toBeUndefined();
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } });
    await waitForFinal(stack, res.body.id);
    const history = await stack.client.workflow.getHandle(res.body.id).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const e of scheduled) expect(Object.keys(e.activityTaskScheduledEventAttributes?.header?.fields ?? {})).not.toContain('_tracer-data');
  });

  // Last: it stops the workers (afterAll's stop then finds them stopped).
  it('answers /healthz with 200 while its Temporal workers run, and 503 once they stopped', async () => {
    const healthUrl = stack.workers.metricsServer!.url.replace(/\/metrics$/, '/healthz');
    const running = await fetch(healthUrl);
    expect(running.status).toBe(200);
    expect(await running.json()).toEqual({ ok: true, workers: { high: 'RUNNING', medium: 'RUNNING', low: 'RUNNING' } });
    await stack.workers.set.shutdown();
    const stopped = await fetch(healthUrl);
    expect(stopped.status).toBe(503);
    const body = (await stopped.json()) as { ok: boolean; workers: Record<string, string> };
    expect(body.ok).toBe(false);
    expect(Object.keys(body.workers).sort()).toEqual(['high', 'low', 'medium']);
    for (const state of Object.values(body.workers)) expect(state).not.toBe('RUNNING');
  });
});
