// CPU per outbound HTTP request: what every HTTP adapter (chat robots, SMS and push APIs)
// and every webhook delivery pays in the worker's event loop. The same signed POST to a
// receiver in a process of its own, 8 in flight, through the same guarded keep-alive pool:
// undici's `fetch` (how channels/http.ts sent until 2026-12-06) against `httpRequest`
// (undici's `request`), in interleaved rounds of one run; the figure is each one's median.
//   npx tsx bench/http-request.ts [--n 3000] [--rounds 5]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fetch as undiciFetch } from 'undici';
import { Webhook } from 'standardwebhooks';
import { httpRequest } from '../channels/http.js';
import { guardedDispatcher, type OutboundPolicy } from '../channels/outbound-guard.js';
import { goal, printResult, round, runSpan, runStart, writeResult, type BenchResult } from './report.js';

const IN_FLIGHT = 8;
const outbound: OutboundPolicy = { allow: ['127.0.0.1/32'] };

/** A receiver in a child process, so its CPU is not counted: reads the body, answers 204. */
async function startReceiver(): Promise<{ url: string; stop(): void }> {
  const code = `const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.writeHead(204).end()); });
    s.keepAliveTimeout = 30000; s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/hook`, stop: () => child.kill() };
}

type Send = (url: string, headers: Record<string, string>, body: string) => Promise<number>;

const viaFetch = (): Send => {
  // What channels/http.ts did: one guarded keep-alive Agent, fetch with a timeout signal, redirects not followed.
  const dispatcher = guardedDispatcher(outbound);
  return async (url, headers, body) => {
    const res = await undiciFetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(15_000), dispatcher });
    await res.text();
    return res.status;
  };
};

const viaHttpRequest = (): Send => async (url, headers, body) => (await httpRequest({ url, method: 'POST', headers, body, outbound })).status;

/** µs of this process's CPU per request, and requests per second. */
async function measure(send: Send, url: string, n: number): Promise<{ cpuUs: number; rate: number }> {
  const body = JSON.stringify({ type: 'delivery.sent', timestamp: new Date().toISOString(), data: { notificationId: 'ntf_01JEXAMPLE0000000000000000', deliveryId: 'dlv_01JEXAMPLE0000000000000000', userId: 'user-1', channel: 'email', provider: 'smtp', reason: null } });
  const signer = new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lane = async () => {
    while (next < n) {
      const id = `evt_${(next += 1)}`;
      const at = new Date();
      const status = await send(url, { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signer.sign(id, at, body) }, body);
      if (status !== 204) throw new Error(`receiver answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / n, rate: n / seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function benchHttpRequest(n: number, rounds: number): Promise<BenchResult> {
  const start = runStart();
  const rx = await startReceiver();
  try {
    const kinds = { 'undici fetch (before)': viaFetch(), 'httpRequest: undici request (now)': viaHttpRequest() };
    // A warm-up of each, unmeasured: JIT and the pool's first connections.
    for (const send of Object.values(kinds)) await measure(send, rx.url, Math.min(n, 500));
    const taken: Record<string, Array<{ cpuUs: number; rate: number }>> = {};
    for (let r = 0; r < rounds; r += 1) for (const [name, send] of Object.entries(kinds)) (taken[name] ??= []).push(await measure(send, rx.url, n));
    const rows = Object.entries(taken).map(([name, ms]) => ({ client: name, requests: n * rounds, 'CPU µs per request (median)': round(median(ms.map((m) => m.cpuUs))), 'requests/s (median)': round(median(ms.map((m) => m.rate))) }));
    const [before, now] = rows;
    const ratio = Number(now?.['CPU µs per request (median)']) / Number(before?.['CPU µs per request (median)']);
    return {
      name: 'http-request',
      title: 'CPU per outbound HTTP request',
      mode: n === 3000 && rounds === 5 ? 'quick' : 'custom',
      ...runSpan(start),
      params: { n, rounds, inFlight: IN_FLIGHT },
      columns: ['client', 'requests', 'CPU µs per request (median)', 'requests/s (median)'],
      rows,
      goals: [goal('httpRequest CPU per request / undici fetch, same run (kept only if it at least halves it)', ratio, '<=', 0.5)],
      notes: [
        `A signed webhook POST (Standard Webhooks headers, ~250-byte JSON body) to a receiver in its own process, ${IN_FLIGHT} in flight over one guarded keep-alive pool; this process's CPU (process.cpuUsage) divided by requests, ${rounds} interleaved rounds of ${n} each after an unmeasured warm-up.`,
      ],
      chart: { unit: 'CPU µs per request', series: ['median'], groups: rows.map((r) => ({ label: String(r.client), values: [Number(r['CPU µs per request (median)'])] })) },
    };
  } finally {
    rx.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '5' } } });
  const r = await benchHttpRequest(Number(values.n), Number(values.rounds));
  printResult(r);
  console.log(`wrote ${writeResult(r)}`);
  process.exit(0);
}
