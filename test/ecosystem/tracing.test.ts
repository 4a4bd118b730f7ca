// OpenTelemetry traces over OTLP/HTTP: one trace from the caller's traceparent through the
// API request, the workflow start, the workflow run and its delivery activity to the SMTP
// call, received by a real OTLP/HTTP endpoint (a local server reading the JSON encoding, as
// a collector does) with every parent/child link checked — and nothing in any span that
// names the recipient.
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../common/config.js';
import { freePort } from '../../common/free-port.js';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
  service: string;
}

interface Receiver {
  url: string;
  spans: OtlpSpan[];
  /** Every request body as received, to search for what must never be exported. */
  raw: string[];
  paths: string[];
  close(): Promise<void>;
}

function attr(span: OtlpSpan, key: string): unknown {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
}

/** An OTLP/HTTP receiver: `POST /v1/traces` with an ExportTraceServiceRequest in JSON. */
async function startReceiver(): Promise<Receiver> {
  const spans: OtlpSpan[] = [];
  const raw: string[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8');
      raw.push(text);
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const request = JSON.parse(text) as {
        resourceSpans?: { resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans?: { spans?: Omit<OtlpSpan, 'service'>[] }[] }[];
      };
      for (const rs of request.resourceSpans ?? []) {
        const service = String(Object.values(rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value ?? {})[0]);
        for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    raw,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('tracing configuration', () => {
  it('is off unless an OTLP endpoint is set, and follows the OTLP variables when it is', () => {
    expect(readConfig({}).tracing).toBeUndefined();
    expect(readConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({ tracesUrl: 'http://collector:4318/v1/traces', serviceName: undefined });
    expect(readConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/custom', OTEL_SERVICE_NAME: 'mail-a' }).tracing).toEqual({
      tracesUrl: 'http://collector:4318/custom',
      serviceName: 'mail-a',
    });
    expect(() => readConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

describe('a notification traced end to end', () => {
  let receiver: Receiver;
  let stack: TestStack;
  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    await seedEmail(stack, { email: 'ada.lovelace@example.com' });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('links the caller, API request, workflow start and run, delivery activity and SMTP call in one trace', async () => {
    // The caller's own trace: Herald's spans must join it.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const res = await stack.request(
      'POST',
      '/v1/notifications',
      { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Ada' } },
      { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } },
    );
    expect(res.status).toBe(202);
    await waitForFinal(stack, res.body.id);
    expect(stack.smtp.mails()).toHaveLength(1);

    const named = (name: string) => receiver.spans.filter((s) => s.traceId === traceId && s.name === name);
    // The workflow's own span is exported when its run completes, a moment after the API shows it final.
    await eventually(async () => {
      await stack.apiTelemetry?.forceFlush();
      await stack.workers.telemetry?.forceFlush();
      return named('RunWorkflow:notificationWorkflow').length > 0 && named('ProviderSend:smtp').length > 0 ? true : undefined;
    }, 15_000, 250);

    const one = (name: string) => {
      const found = named(name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const request = one('POST /v1/notifications');
    const start = one('StartWorkflow:notificationWorkflow');
    const run = one('RunWorkflow:notificationWorkflow');
    const deliverStarts = named('StartActivity:deliver');
    const deliverRuns = named('RunActivity:deliver');
    const send = one('ProviderSend:smtp');

    expect(request.parentSpanId).toBe(callerSpanId);
    expect(request.kind).toBe(2); // SERVER
    expect(request.service).toBe('herald-api');
    expect(attr(request, 'http.route')).toBe('/v1/notifications');
    expect(attr(request, 'http.response.status_code')).toBe(202);

    expect(start.parentSpanId).toBe(request.spanId);
    expect(start.service).toBe('herald-api');
    expect(run.parentSpanId).toBe(start.spanId);
    expect(run.service).toBe('herald-worker');
    expect(attr(run, 'temporalWorkflowId') ?? res.body.id).toBe(res.body.id);

    // The activity that sent: scheduled by the run, executed under that schedule, calling SMTP.
    const deliverRun = deliverRuns.find((r) => r.spanId === send.parentSpanId);
    expect(deliverRun, 'RunActivity:deliver is the SMTP call span’s parent').toBeDefined();
    const deliverStart = deliverStarts.find((s) => s.spanId === deliverRun!.parentSpanId);
    expect(deliverStart, 'StartActivity:deliver is its parent').toBeDefined();
    expect(deliverStart!.parentSpanId).toBe(run.spanId);
    expect(deliverRun!.service).toBe('herald-worker');
    expect(attr(deliverRun!, 'temporalWorkflowId')).toBe(res.body.id);

    expect(send.service).toBe('herald-worker');
    expect(attr(send, 'herald.channel')).toBe('email');
    expect(attr(send, 'herald.provider.kind')).toBe('smtp');
    expect(attr(send, 'herald.provider.id')).toBe('smtp-default');
    expect(send.status?.code).toBe(1); // OK

    // Other activities of the run are in the same trace too.
    expect(named('RunActivity:prepareNotification').length + named('RunActivity:finalizeNotification').length).toBeGreaterThan(0);
    // Exported as OTLP/HTTP JSON, and never with the recipient's address, the SMTP URL or keys in it.
    expect(receiver.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
    const everything = receiver.raw.join('\n');
    expect(everything).not.toContain('ada.lovelace');
    expect(everything).not.toContain(stack.config.smtpUrl ?? 'smtp://');
    expect(everything).not.toContain('test-admin-key');

    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-email-traced');
  });
});
