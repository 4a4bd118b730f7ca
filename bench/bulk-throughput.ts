// Benchmark 1: an approved bulk email campaign of N recipients through the whole Herald path
// (durable workflow, paged audience, policy, rendering, ledger) into a capture SMTP server,
// against raw pooled nodemailer sending the same N pre-rendered messages into the same
// server; Apprise sending a (scaled) share of them is the peer reference row.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { importUsers, prepareCampaign, publishTemplate, PROJECT_ROOT, sampleRss, startHerald, startNodeProcess, startTemporalEnv, startWorkerProcess, waitForFinal, workerProfileArgs } from './harness.js';
import { WEBHOOK_EVENT_TYPES } from '../domain/events/webhooks.js';
import { againstBaseline, benchCpuGroups, CPU_BENCH, CPU_POSTGRES_GROUPS, CPU_POSTGRES_SHARED, CPU_TEMPORAL, CPU_WORKERS, cpuPhase, processGroup, startCpuMeter, type CpuGroup, type CpuMeter } from './cpu.js';
import { goal, modeOf, round, writeResult, runSpan, runStart, type BenchOptions, type BenchResult } from './report.js';

const CPU_RAW = 'raw sender process';
const CPU_HOOKS = 'webhook receiver process';
/** Recipients of the unmeasured warm-up campaign before the measured phases. */
const WARM_UP = 500;
/** Interleaved rounds of the one-worker phases (each a campaign of N) in a quick run; the full run's campaigns are long enough for one. */
const ROUNDS = 2;
const PHASE_KINDS = ['none', 'hook', 'down'] as const;
type PhaseKind = (typeof PHASE_KINDS)[number];

const APPRISE_DIR = join(PROJECT_ROOT, '.tools', 'apprise');

/**
 * Raw pooled nodemailer in a process of its own (bench/raw-sender.ts), as Herald's worker
 * runs in one: sharing this process's event loop with the capture server would slow it.
 * Its CPU (and the other groups') is read from 'go' until it has sent the N-th mail.
 */
async function rawNodemailer(smtpUrl: string, n: number, waitFor: (count: number) => Promise<unknown>, already: number, cpu: (extra: CpuGroup) => Promise<CpuMeter>): Promise<{ seconds: number; cpu: Record<string, number> }> {
  const sender = await startNodeProcess('bench/raw-sender.ts', [smtpUrl, String(n)], {}, 'ready');
  const exited = new Promise<number | null>((r) => sender.child.once('exit', (code) => r(code)));
  const sent = new Promise<void>((r) => sender.child.stdout?.on('data', (c: Buffer) => c.toString().includes('sent') && r()));
  const meter = await cpu(processGroup(CPU_RAW, sender.pid));
  const t0 = performance.now();
  sender.child.stdin?.write('go\n');
  await waitFor(already + n);
  const seconds = (performance.now() - t0) / 1000;
  await sent;
  const used = await meter.stop();
  sender.child.stdin?.write('exit\n');
  const code = await exited;
  if (code !== 0) throw new Error(`raw sender exited with ${code}`);
  return { seconds, cpu: used };
}

/**
 * A webhook receiver that takes every request at once (204), counting them, in a process of its
 * own: an endpoint is never the mail server's event loop, and sharing this process's would
 * slow the capture SMTP server's replies by the receiver's work (its CPU still counts on these
 * two cores, as the bench process's does).
 */
async function startHookReceiver(): Promise<{ url: string; pid: number; received: () => Promise<number>; close: () => Promise<void> }> {
  const code = `let received = 0;
    const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => { received += 1; r.writeHead(204).end(); }); });
    s.keepAliveTimeout = 30000;
    process.on('message', (m) => { if (m === 'count') process.send({ received }); else if (m === 'exit') s.close(() => process.exit(0)), s.closeAllConnections(); });
    s.listen(0, '127.0.0.1', () => process.send({ port: s.address().port }));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number((m as { port: number }).port)));
    child.once('exit', (c) => reject(new Error(`webhook receiver exited ${c}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    pid: child.pid ?? 0,
    received: () =>
      new Promise<number>((resolve) => {
        child.once('message', (m) => resolve(Number((m as { received: number }).received)));
        child.send('count');
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('exit');
      }),
  };
}

/** A URL on which nothing listens: every attempt is refused, as an endpoint that is down. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}/hook`;
}

function ensureApprise(): boolean {
  if (existsSync(join(APPRISE_DIR, 'apprise'))) return true;
  const r = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', APPRISE_DIR, 'apprise'], { stdio: 'inherit' });
  return r.status === 0 && existsSync(join(APPRISE_DIR, 'apprise'));
}

// One mailto:// URL per recipient, 50 per Apprise object so its threaded mode sends them in
// parallel; its politeness throttle (5.5 s between sends per URL) is switched off.
const APPRISE_SCRIPT = `
import sys, time, apprise
from apprise.plugins.email import NotifyEmail
NotifyEmail.request_rate_per_sec = 0
port, n = sys.argv[1], int(sys.argv[2])
t = time.time()
ok = 0
for start in range(0, n, 50):
    a = apprise.Apprise()
    for i in range(start, min(n, start + 50)):
        a.add(f"mailto://127.0.0.1:{port}?from=herald@example.com&to=ap{i}@example.com&mode=insecure&format=html")
    if a.notify(title="Sale 1 for u%d" % start, body="<p>Hello, the sale starts now.</p>"):
        ok += min(n, start + 50) - start
print(ok, time.time() - t)
`;

/** Asynchronous: the capture SMTP server lives in this process's event loop. */
async function runApprise(port: number, n: number): Promise<{ sent: number; seconds: number } | undefined> {
  if (!ensureApprise()) return undefined;
  const child = spawn('python3', ['-c', APPRISE_SCRIPT, String(port), String(n)], { env: { ...process.env, PYTHONPATH: APPRISE_DIR }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  await new Promise<void>((r) => child.once('close', () => r()));
  clearTimeout(timer);
  const m = /^(\d+) ([\d.]+)/m.exec(out);
  if (!m?.[1] || !m[2]) {
    console.warn(`apprise failed: ${err.slice(-500)}`);
    return undefined;
  }
  return { sent: Number(m[1]), seconds: Number(m[2]) };
}

export async function runBulkThroughput(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const n = o.n ?? (o.full ? 100_000 : 10_000);
  const appriseN = Math.min(n, o.full ? 5_000 : 1_000);
  const rounds = o.rounds ?? (o.full ? 1 : ROUNDS);
  const temporal = await startTemporalEnv(o.temporal);
  // The workers run as they are deployed: workers/main.ts in a process of its own, not in
  // the event loop that also runs the API, the capture SMTP server and the raw baseline.
  const herald = await startHerald({ temporal, env: { HERALD_HISTORY_LIMIT: '1000' }, workers: 'none' });
  const worker = await startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath }, workerProfileArgs());
  const workerPids = [worker.pid];
  const cpuGroups = benchCpuGroups({ database: herald.database.name, temporalPid: temporal.pid, workers: () => workerPids });
  const meter = (extra?: CpuGroup) => startCpuMeter(extra ? [...cpuGroups.groups, extra] : cpuGroups.groups);
  // Herald's side of the cost: what its processes, its database and its Temporal spend.
  const heraldSide = [CPU_WORKERS, ...CPU_POSTGRES_GROUPS, CPU_TEMPORAL].filter((g) => cpuGroups.measured.includes(g));
  try {
    await importUsers(herald, 'u', n, 'everyone');
    await importUsers(herald, 'w', WARM_UP, 'warm-up');
    await publishTemplate(herald);
    // An unmeasured campaign first, so the first measured phase is not the one that pays for
    // the worker's JIT warm-up and the new tables' first writes (the others would gain by it).
    const warmUp = await prepareCampaign(herald, 'warm-up', 'low', 'w');
    await warmUp.approve();
    await herald.smtp.waitForCount(WARM_UP, 600_000);
    if ((await waitForFinal(herald, warmUp.id, 600_000)).counts?.sent !== WARM_UP) throw new Error('warm-up campaign incomplete');
    // Three kinds of phase, the same campaign each, in interleaved rounds (a noisy machine
    // moves one phase's rate by a third; a round of each kind shares its moment):
    // none: no webhook endpoint (the baseline of both webhook goals);
    // hook: one endpoint subscribed to every event, answering at once (the fan-out must not slow delivery);
    // down: one endpoint subscribed to every event that is down (connection refused): its retries must not slow delivery at all.
    const hooks = await startHookReceiver();
    const downUrl = await deadUrl();
    if ((await herald.request('PATCH', '/v1/tenant', { outboundAllowlist: ['127.0.0.1/32'] })).status !== 200) throw new Error('tenant allowlist refused');
    let delivered = WARM_UP;
    let runs = 0;
    let lastStatus = '';
    let finalLag = 0;
    const downAttempts: number[] = [];
    const phase = async (kind: PhaseKind): Promise<{ seconds: number; cpu: Record<string, number> }> => {
      const url = kind === 'hook' ? hooks.url : kind === 'down' ? downUrl : undefined;
      const endpoint = url ? await herald.request('POST', '/v1/webhooks', { url, eventTypes: WEBHOOK_EVENT_TYPES }) : undefined;
      if (endpoint && endpoint.status !== 201) throw new Error(`${kind} webhook endpoint: ${endpoint.status} ${JSON.stringify(endpoint.body)}`);
      const campaign = await prepareCampaign(herald, 'everyone', 'low', `${kind}-${(runs += 1)}`);
      // The receiver's CPU is in the split, in no sum: it stands for the integrator's machine.
      const cpuMeter = await meter(kind === 'hook' ? processGroup(CPU_HOOKS, hooks.pid) : undefined);
      const t0 = performance.now();
      await campaign.approve();
      await herald.smtp.waitForCount((delivered += n), 1_800_000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = await cpuMeter.stop();
      const done = await waitForFinal(herald, campaign.id, 600_000);
      if (done.counts?.sent !== n) throw new Error(`${kind} campaign ended ${done.status} with ${JSON.stringify(done.counts)}`);
      lastStatus = done.status;
      finalLag = Math.max(finalLag, (performance.now() - t0) / 1000 - seconds);
      if (kind === 'down' && endpoint) {
        // The phase proves nothing unless the endpoint was really tried (and refused).
        let refused = 0;
        for (const until = Date.now() + 60_000; refused === 0 && Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
          const attempts = await herald.request('GET', `/v1/webhooks/${endpoint.body.id}/attempts?limit=100`);
          refused = Array.isArray(attempts.body?.items) ? attempts.body.items.filter((x: { statusCode: number | null }) => x.statusCode === null).length : 0;
        }
        if (refused === 0) throw new Error('the endpoint that is down was never attempted within 60 s of the campaign');
        downAttempts.push(refused);
      }
      if (endpoint) await herald.request('DELETE', `/v1/webhooks/${endpoint.body.id}`);
      return { seconds, cpu };
    };
    const rss = sampleRss(worker.pid);
    const idleRss = rss.current();
    const taken: Record<PhaseKind, Array<{ seconds: number; cpu: Record<string, number> }>> = { none: [], hook: [], down: [] };
    const hooksBefore: number[] = [];
    const hooksAfter: number[] = [];
    try {
      for (let r = 0; r < rounds; r += 1) {
        for (const kind of PHASE_KINDS) {
          if (kind === 'hook') hooksBefore.push(await hooks.received());
          taken[kind].push(await phase(kind));
          if (kind === 'hook') hooksAfter.push(await hooks.received());
        }
      }
    } finally {
      await hooks.close();
    }
    const peakRss = rss.stop();
    const total = (kind: PhaseKind) => ({
      seconds: taken[kind].reduce((a, p) => a + p.seconds, 0),
      cpu: taken[kind].reduce<Record<string, number>>((acc, p) => {
        for (const [g, v] of Object.entries(p.cpu)) acc[g] = (acc[g] ?? 0) + v;
        return acc;
      }, {}),
    });
    const none = total('none');
    const hook = total('hook');
    const down = total('down');
    const oneCpuUsed = none.cpu;
    const hookCpuUsed = hook.cpu;
    const downCpuUsed = down.cpu;
    // Seconds per campaign of n: the mean over the rounds.
    const heraldSmtpSeconds = none.seconds / rounds;
    const hookSmtpSeconds = hook.seconds / rounds;
    const downSmtpSeconds = down.seconds / rounds;
    const perRound = (kind: PhaseKind) => taken[kind].map((p) => round(n / p.seconds)).join(', ');

    // The same campaign again with a second worker process, as a deployment runs one per core.
    const second = await startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath });
    workerPids.push(second.pid);
    let twoSmtpSeconds: number;
    let twoCpuUsed: Record<string, number>;
    try {
      const again = await prepareCampaign(herald, 'everyone', 'low', '2');
      const twoCpu = await meter();
      const t1 = performance.now();
      await again.approve();
      await herald.smtp.waitForCount((delivered += n), 1_800_000);
      twoSmtpSeconds = (performance.now() - t1) / 1000;
      twoCpuUsed = await twoCpu.stop();
      const doneAgain = await waitForFinal(herald, again.id, 600_000);
      if (doneAgain.counts?.sent !== n) throw new Error(`second campaign ended ${doneAgain.status} with ${JSON.stringify(doneAgain.counts)}`);
    } finally {
      await second.stop();
    }

    const raw = await rawNodemailer(herald.smtp.url, n, (c) => herald.smtp.waitForCount(c, 600_000), delivered, meter);
    const rawSeconds = raw.seconds;
    const apprise = o.apprise === false ? undefined : await runApprise(herald.smtp.port, appriseN);

    const cpu = againstBaseline([
      cpuPhase('Herald, one worker process', n * rounds, oneCpuUsed, heraldSide),
      cpuPhase('Herald, one worker process, one webhook endpoint', n * rounds, hookCpuUsed, heraldSide),
      cpuPhase('Herald, one worker process, one webhook endpoint that is down', n * rounds, downCpuUsed, heraldSide),
      cpuPhase('Herald, two worker processes', n, twoCpuUsed, heraldSide),
      cpuPhase('raw pooled nodemailer (baseline)', n, raw.cpu, [CPU_RAW]),
    ], 'raw pooled nodemailer (baseline)');
    const [oneCost, , , twoCost, rawCost] = cpu.map((c) => c.cpuMsPerMessage) as [number, number, number, number, number];
    const withBench = (used: Record<string, number>, side: string[]) => [...side, CPU_BENCH].reduce((sum, g) => sum + (used[g] ?? 0), 0);
    const rawRate = n / rawSeconds;
    const heraldRate = n / heraldSmtpSeconds;
    const twoRate = n / twoSmtpSeconds;
    const hookRate = n / hookSmtpSeconds;
    const downRate = n / downSmtpSeconds;
    const rows: BenchResult['rows'] = [
      { sender: 'Herald, one worker process (approved campaign → SMTP)', recipients: n, seconds: round(heraldSmtpSeconds, 2), 'mails/s': round(heraldRate), 'ratio vs raw': round(heraldRate / rawRate, 2) },
      { sender: 'Herald, one worker process, one webhook endpoint subscribed to every event', recipients: n, seconds: round(hookSmtpSeconds, 2), 'mails/s': round(hookRate), 'ratio vs raw': round(hookRate / rawRate, 2) },
      { sender: 'Herald, one worker process, one webhook endpoint (every event) that is down', recipients: n, seconds: round(downSmtpSeconds, 2), 'mails/s': round(downRate), 'ratio vs raw': round(downRate / rawRate, 2) },
      { sender: 'Herald, two worker processes (one per core)', recipients: n, seconds: round(twoSmtpSeconds, 2), 'mails/s': round(twoRate), 'ratio vs raw': round(twoRate / rawRate, 2) },
      { sender: 'raw pooled nodemailer (baseline)', recipients: n, seconds: round(rawSeconds, 2), 'mails/s': round(rawRate), 'ratio vs raw': 1 },
    ];
    if (apprise) {
      rows.push({ sender: `Apprise (peer, N scaled to ${appriseN})`, recipients: apprise.sent, seconds: round(apprise.seconds, 2), 'mails/s': round(apprise.sent / apprise.seconds), 'ratio vs raw': round(apprise.sent / apprise.seconds / rawRate, 2) });
    }
    return {
      name: 'bulk-throughput',
      title: 'Bulk email throughput',
      mode: modeOf(o),
      ...runSpan(start),
      params: { n, rounds, appriseN, smtpPoolConnections: 5, herald: 'defaults (100 slots weighted 50/30/20, low queue 20), HERALD_HISTORY_LIMIT=1000, one worker process, then two', raw: 'bench/raw-sender.ts in a process of its own', campaignPriority: 'low', workerIdleRssMb: round(idleRss / 1e6), workerPeakRssMb: round(peakRss / 1e6) },
      columns: ['sender', 'recipients', 'seconds', 'mails/s', 'ratio vs raw'],
      rows,
      cpu,
      goals: [
        goal('CPU per mail: Herald (one worker process) / raw nodemailer', oneCost / rawCost, '<=', 2.0),
        goal('CPU per mail: Herald (two worker processes) / raw nodemailer', twoCost / rawCost, '<=', 2.0),
        goal('Herald (one worker process) / raw nodemailer throughput', heraldRate / rawRate, '>=', 0.7),
        goal('Herald with one webhook endpoint (every event) / Herald without, same run', hookRate / heraldRate, '>=', 0.9),
        goal('Herald with one webhook endpoint that is down / Herald without, same run', downRate / heraldRate, '>=', 0.95),
        goal('Herald (two worker processes) / raw nodemailer throughput', twoRate / rawRate, '>=', 0.7),
      ],
      notes: [
        `CPU per mail counts Herald's worker processes, PostgreSQL (the bench database's backends by pid from pg_stat_activity, plus the postmaster and its auxiliary processes, which serve every database on the machine)${heraldSide.includes(CPU_TEMPORAL) ? ' and the Temporal dev server this run started' : '; not the Temporal dev server, shared with other runs here'}; the raw baseline counts its own process. The bench process (Herald's API, the capture SMTP server, the status polls) is in the split but in neither sum: it receives both sides' mails; so is the webhook receiver's process (its own since 2026-12-06 09:50 UTC; before, the receiver shared the bench process's event loop with the capture SMTP server), which stands for the integrator's machine. Counting it on both sides, one worker process costs ${round(withBench(oneCpuUsed, heraldSide) / withBench(raw.cpu, [CPU_RAW]), 2)} × raw; without the shared PostgreSQL processes (which other runs on the machine keep busy too), ${round(cpuPhase('', n * rounds, oneCpuUsed, heraldSide.filter((g) => g !== CPU_POSTGRES_SHARED)).cpuMsPerMessage / rawCost, 2)} × raw.`,
        `Every Herald phase follows an unmeasured warm-up campaign of ${WARM_UP} in the same worker process. Herald time is approve → N-th SMTP receipt; each campaign reached "${lastStatus}" at most ${round(finalLag, 2)} s later.`,
        `The one-worker phases ran in ${rounds} interleaved round(s) of (none, hook, down), each a campaign of ${n}; a row's seconds are the mean per campaign and its CPU the sum over its rounds. Per round, mails/s without an endpoint: ${perRound('none')}; with one: ${perRound('hook')}; with one that is down: ${perRound('down')}.`,
        `Herald's workers ran as workers/main.ts in their own process: RSS ${round(idleRss / 1e6)} MB before the campaign, peak ${round(peakRss / 1e6)} MB during it.`,
        `With the webhook endpoint subscribed, its receiver had ${hooksAfter.map((a, i) => a - (hooksBefore[i] ?? 0)).join(', ')} events per round (of ${n} delivery.sent each) when the campaign was final; the fan-out runs off the delivery path.`,
        `With an endpoint that refuses every connection subscribed, ${downAttempts.join(', ')} refused attempts per round were in the first page of its attempt log when the campaign was final; the goal for it is 0.95 (no slowdown beyond the noise of one run).`,
        apprise ? `Apprise sent ${apprise.sent} of ${appriseN} (a new SMTP connection per mail, 50 threads at a time, its 5.5 s per-URL throttle switched off).` : 'Apprise row skipped.',
      ],
      chart: { unit: 'mails per second', series: ['mails/s'], groups: rows.map((r) => ({ label: String(r.sender).split(' (')[0] ?? '', values: [Number(r['mails/s'])] })) },
    };
  } finally {
    await cpuGroups.close();
    await worker.stop();
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchBulkThroughput(o: BenchOptions): Promise<BenchResult> {
  const r = await runBulkThroughput(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
