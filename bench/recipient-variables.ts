// What recipient variables cost a bulk campaign (issue 19, item 1: "the bulk benchmark must not
// lose more than 5%"). One Temporal dev server, database, capture SMTP server and worker
// process; the same approved low-priority campaign of N is sent with two templates,
// interleaved A/B/A/B… so drift of the shared machine falls on both:
//   A) subject and body use only `data` ("Hi {{name}}", the same for everyone),
//   B) the same template greeting each recipient ("Hi {{recipient.name}}", and their email).
// Every received mail's subject is checked against its envelope recipient, so B cannot pass
// with rendering skipped (and A cannot pass rendered for someone else).
//   npm run bench -- recipient-variables [--n 5000]
import { createKeyForTest } from '../testkit/keys.js';
import { BENCH_ADMIN_KEY, startHerald, startTemporalEnv, startWorkerProcess, waitForFinal, workerProfileArgs, type Herald } from './harness.js';
import { againstBaseline, benchCpuGroups, CPU_BENCH, CPU_WORKERS, cpuPhase, startCpuMeter, type CpuPhase } from './cpu.js';
import { goal, modeOf, round, runSpan, runStart, writeResult, type BenchOptions, type BenchResult } from './report.js';
import type { CapturedMail } from '../local/capture-smtp.js';
import { recipientOf } from '../domain/templates/recipient.js';
import { createRenderer } from '../domain/templates/render.js';

const GROUP = 'everyone';
const WARMUP_GROUP = 'warmup';
const WARMUP_N = 200;
/** What both templates' data carries: `name` and `who` are the data-only template's greeting. */
const DATA = { name: 'friend', who: 'everyone' };

export interface Variant {
  key: 'A' | 'B';
  label: string;
  template: string;
  email: { subject: string; text: string; html: string };
  /** The subject a recipient's mail must have. */
  subject(run: string, user: { id: string; name: string; email: string }): string;
}

export const VARIANTS: Variant[] = [
  {
    key: 'A',
    label: 'A: data only',
    template: 'greet-data',
    email: {
      subject: 'Hi {{name}}, sale {{n}} for {{who}}',
      text: 'Hello {{name}}, the sale starts now. Sent to {{who}}.',
      html: '<p>Hello <b>{{name}}</b>, the sale starts now. Sent to {{who}}.</p>',
    },
    subject: (run) => `Hi ${DATA.name}, sale ${run} for ${DATA.who}`,
  },
  {
    key: 'B',
    label: 'B: recipient variables',
    template: 'greet-recipient',
    email: {
      subject: 'Hi {{recipient.name}}, sale {{n}} for {{recipient.email}}',
      text: 'Hello {{recipient.name}}, the sale starts now. Sent to {{recipient.email}}.',
      html: '<p>Hello <b>{{recipient.name}}</b>, the sale starts now. Sent to {{recipient.email}}.</p>',
    },
    subject: (run, u) => `Hi ${u.name}, sale ${run} for ${u.email}`,
  },
];

/** A user's name differs from its id, so a template that rendered the id instead would not pass. */
const userOf = (id: string) => ({ id, name: `Reader ${id.toUpperCase()}`, email: `${id}@example.com` });

async function importGroup(h: Herald, prefix: string, count: number, group: string): Promise<void> {
  for (let i = 0; i < count; i += 20_000) {
    const lines = Array.from({ length: Math.min(20_000, count - i) }, (_, j) => JSON.stringify({ ...userOf(`${prefix}${i + j}`), groups: [group] }));
    const res = await fetch(`${h.api.url}/v1/users/import`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
    if (res.status >= 300) throw new Error(`import: ${res.status} ${await res.text()}`);
  }
}

async function publish(h: Herald, v: Variant): Promise<void> {
  const put = await h.request('PUT', `/v1/templates/${v.template}`, { email: v.email });
  if (put.status >= 300) throw new Error(`template ${v.template}: ${JSON.stringify(put.body)}`);
  const pub = await h.request('POST', `/v1/templates/${v.template}/publish`);
  if (pub.status !== 201) throw new Error(`publish ${v.template}: ${JSON.stringify(pub.body)}`);
}

/** Checks each received mail's subject against what its variant renders for that recipient. */
export function subjectChecker() {
  let expected: ((mail: CapturedMail) => string) | undefined;
  let checked = 0;
  let wrong = 0;
  const firstWrong: string[] = [];
  const samples: string[] = [];
  return {
    expect(v: Variant, run: string) {
      expected = (mail) => v.subject(run, userOf((mail.envelopeTo[0] ?? '').split('@')[0] ?? ''));
      checked = 0;
      wrong = 0;
      firstWrong.length = 0;
      samples.length = 0;
    },
    onMail(mail: CapturedMail) {
      if (!expected) return;
      checked += 1;
      const want = expected(mail);
      if (mail.subject !== want) {
        wrong += 1;
        if (firstWrong.length < 5) firstWrong.push(`${mail.envelopeTo[0]}: got ${JSON.stringify(mail.subject)}, want ${JSON.stringify(want)}`);
      }
      if (samples.length < 3) samples.push(`${mail.envelopeTo[0]} → "${mail.subject}"`);
    },
    result: () => ({ checked, wrong, firstWrong: [...firstWrong], samples: [...samples] }),
  };
}

/**
 * The render step alone, in this process: the worker's renderer (compiled templates cached)
 * rendering each variant's email for `count` recipients, A and B interleaved `reps` times;
 * CPU µs per render from process.cpuUsage. Isolates what the campaign figures carry in noise.
 */
function renderOnly(count: number, reps: number): Record<Variant['key'], number> {
  const renderer = createRenderer();
  const users = Array.from({ length: count }, (_, i) => ({ ...userOf(`r${i}`), phone: null, locale: null, timezone: null, attributes: {} }));
  const used: Record<Variant['key'], number> = { A: 0, B: 0 };
  let sink = 0;
  for (let rep = 0; rep <= reps; rep += 1) {
    for (const v of VARIANTS) {
      const content = { email: v.email };
      const data = { ...DATA, n: String(rep) };
      const c0 = process.cpuUsage();
      for (const u of users) sink += renderer.render(content, 'email', { data, locale: u.locale, timezone: u.timezone, recipient: recipientOf(u) }).subject.length;
      const c = process.cpuUsage(c0);
      // Repetition 0 warms both up and is not counted.
      if (rep > 0) used[v.key] += c.user + c.system;
    }
  }
  if (sink === 0) throw new Error('nothing rendered');
  return { A: used.A / (count * reps), B: used.B / (count * reps) };
}

interface Sent {
  variant: Variant;
  round: number;
  seconds: number;
  cpu: Record<string, number>;
  samples: string[];
}

export async function runRecipientVariables(o: BenchOptions): Promise<BenchResult> {
  const start = runStart();
  const n = o.n ?? (o.full ? 20_000 : 5_000);
  // A/B/A/B by default; HERALD_BENCH_RV_ORDER=ABABBABA also reverses the pairs, so an effect of
  // going first in a pair shows (and cancels) rather than landing on one template.
  const order = [...(process.env.HERALD_BENCH_RV_ORDER ?? (o.full ? 'ABABAB' : 'ABAB'))];
  const rounds = Math.min(...VARIANTS.map((v) => order.filter((k) => k === v.key).length));
  if (rounds < 2) throw new Error(`HERALD_BENCH_RV_ORDER must run each template at least twice, got ${order.join('')}`);
  const temporal = await startTemporalEnv(o.temporal);
  const check = subjectChecker();
  const herald = await startHerald({ temporal, env: { HERALD_HISTORY_LIMIT: '1000' }, workers: 'none', onMail: (m) => check.onMail(m) });
  const worker = await startWorkerProcess({ ...herald.workerEnv, HERALD_WORKFLOW_BUNDLE: temporal.bundlePath }, workerProfileArgs());
  const cpuGroups = benchCpuGroups({ database: herald.database.name, temporalPid: temporal.pid, workers: () => [worker.pid] });
  // Both sides are Herald: its worker process, its database's PostgreSQL processes and its Temporal.
  const heraldSide = cpuGroups.measured.filter((g) => g !== CPU_BENCH);
  let received = 0;
  try {
    await importGroup(herald, 'r', n, GROUP);
    await importGroup(herald, 'w', WARMUP_N, WARMUP_GROUP);
    for (const v of VARIANTS) await publish(herald, v);
    const approver = await createKeyForTest(herald.db, 'default', ['approve']);

    /** One approved campaign of `v` to `group`, every mail's subject checked; `run` keeps campaigns apart (not duplicates). */
    const campaign = async (v: Variant, group: string, count: number, run: string): Promise<Omit<Sent, 'round'>> => {
      const created = await herald.request('POST', '/v1/notifications', { template: v.template, to: { groups: [group] }, data: { ...DATA, n: run }, priority: 'low' });
      if (created.body?.status !== 'pending_approval') throw new Error(`campaign: ${created.status} ${JSON.stringify(created.body)}`);
      const id = String(created.body.id);
      check.expect(v, run);
      const meter = await startCpuMeter(cpuGroups.groups);
      const t0 = performance.now();
      const approved = await herald.request('POST', `/v1/notifications/${id}/approve`, {}, approver);
      if (approved.status >= 300) throw new Error(`approve: ${approved.status} ${JSON.stringify(approved.body)}`);
      received += count;
      await herald.smtp.waitForCount(received, 1_800_000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = await meter.stop();
      const done = await waitForFinal(herald, id, 600_000);
      if (done.counts?.sent !== count) throw new Error(`${v.label} ${run} ended ${done.status} with ${JSON.stringify(done.counts)}`);
      const checked = check.result();
      if (checked.checked !== count || checked.wrong !== 0) throw new Error(`${v.label} ${run}: ${checked.checked} mails checked of ${count}, ${checked.wrong} with the wrong subject: ${checked.firstWrong.join('; ')}`);
      return { variant: v, seconds, cpu, samples: checked.samples };
    };

    // Warm-up, not measured: both templates compiled and the worker's code paths hot before round 1.
    for (const v of VARIANTS) await campaign(v, WARMUP_GROUP, WARMUP_N, `warm-${v.key}`);
    const sent: Sent[] = [];
    for (const key of order) {
      const v = VARIANTS.find((x) => x.key === key);
      if (!v) throw new Error(`HERALD_BENCH_RV_ORDER: ${key} is neither A nor B`);
      const r = sent.filter((s) => s.variant.key === key).length + 1;
      sent.push({ ...(await campaign(v, GROUP, n, `${v.key}${r}`)), round: r });
    }

    const renderUs = renderOnly(n, 3);
    const phaseName = (s: Sent) => `${s.variant.label}, round ${s.round}`;
    const sumCpu = (list: Sent[]) => {
      const out: Record<string, number> = {};
      for (const s of list) for (const [g, sec] of Object.entries(s.cpu)) out[g] = (out[g] ?? 0) + sec;
      return out;
    };
    const of = (key: Variant['key']) => sent.filter((s) => s.variant.key === key);
    const total = (key: Variant['key']) => {
      const list = of(key);
      const seconds = list.reduce((a, s) => a + s.seconds, 0);
      return { list, seconds, rate: (list.length * n) / seconds, cpu: sumCpu(list), messages: list.length * n };
    };
    const a = total('A');
    const b = total('B');
    const aAll = `${VARIANTS[0]?.label}, all rounds`;
    const cpu: CpuPhase[] = againstBaseline(
      [cpuPhase(aAll, a.messages, a.cpu, heraldSide), cpuPhase(`${VARIANTS[1]?.label}, all rounds`, b.messages, b.cpu, heraldSide), ...sent.map((s) => cpuPhase(phaseName(s), n, s.cpu, heraldSide))],
      aAll,
    );
    const msPer = (c: Record<string, number>, groups: string[], messages: number) => (groups.reduce((sum, g) => sum + (c[g] ?? 0), 0) / messages) * 1000;
    const cpuA = msPer(a.cpu, heraldSide, a.messages);
    const cpuB = msPer(b.cpu, heraldSide, b.messages);
    const workerA = msPer(a.cpu, [CPU_WORKERS], a.messages);
    const workerB = msPer(b.cpu, [CPU_WORKERS], b.messages);
    const pairs = Array.from({ length: rounds }, (_, i) => {
      const [ra, rb] = [a.list[i], b.list[i]];
      return ra && rb ? { round: i + 1, rate: ra.seconds / rb.seconds, cpu: msPer(rb.cpu, heraldSide, n) / msPer(ra.cpu, heraldSide, n) } : undefined;
    }).filter((p) => p !== undefined);

    // Whatever template it was: campaigns that went first in their pair against those that went second.
    const byPosition = (first: boolean) => {
      const list = sent.filter((_, i) => (i % 2 === 0) === first);
      return (list.length * n) / list.reduce((sum, s) => sum + s.seconds, 0);
    };
    const rows: BenchResult['rows'] = sent.map((s) => ({
      template: s.variant.label,
      round: String(s.round),
      recipients: n,
      seconds: round(s.seconds, 2),
      'mails/s': round(n / s.seconds),
      'CPU ms per mail': round(msPer(s.cpu, heraldSide, n), 3),
      'worker CPU ms per mail': round(msPer(s.cpu, [CPU_WORKERS], n), 3),
    }));
    for (const [v, t] of [
      [VARIANTS[0], a],
      [VARIANTS[1], b],
    ] as const) {
      rows.push({ template: v?.label ?? '', round: 'all', recipients: t.messages, seconds: round(t.seconds, 2), 'mails/s': round(t.rate), 'CPU ms per mail': round(msPer(t.cpu, heraldSide, t.messages), 3), 'worker CPU ms per mail': round(msPer(t.cpu, [CPU_WORKERS], t.messages), 3) });
    }
    const samples = of('B')[0]?.samples ?? [];
    return {
      name: 'recipient-variables',
      title: 'Recipient variables in a bulk campaign',
      mode: modeOf(o),
      ...runSpan(start),
      params: { n, rounds, order: order.join(' '), renderOnlyMicroseconds: { A: round(renderUs.A, 2), B: round(renderUs.B, 2) }, sequence: sent.map((s) => `${s.variant.key}${s.round}`).join(' '), warmup: `${WARMUP_N} recipients per template, not measured`, campaignPriority: 'low', herald: 'defaults, HERALD_HISTORY_LIMIT=1000, one worker process (workers/main.ts)', templates: Object.fromEntries(VARIANTS.map((v) => [v.key, v.email])), data: DATA },
      columns: ['template', 'round', 'recipients', 'seconds', 'mails/s', 'CPU ms per mail', 'worker CPU ms per mail'],
      rows,
      cpu,
      goals: [goal('throughput B / A (recipient variables / data only), all rounds', b.rate / a.rate, '>=', 0.95), goal('CPU per mail B / A, all rounds', cpuB / cpuA, '<=', 1.05)],
      notes: [
        `Interleaved ${sent.map((s) => `${s.variant.key}${s.round}`).join(', ')} on one Temporal dev server, database, capture SMTP server and worker process, after an unmeasured warm-up campaign of ${WARMUP_N} per template. Time is approve → N-th SMTP receipt.`,
        `CPU per mail counts ${heraldSide.join(', ')} (the bench process, which holds the API and the capture server, is in the split but not the sum). The worker process alone, where rendering happens: ${round(workerA, 3)} ms (A) vs ${round(workerB, 3)} ms (B) per mail, B / A ${round(workerB / workerA, 2)}.`,
        `Per round, B / A: ${pairs.map((p) => `round ${p.round} throughput ${round(p.rate, 2)}, CPU ${round(p.cpu, 2)}`).join('; ')} (the spread is the machine's noise). By position, whatever the template: ${round(byPosition(true))} mails/s for a pair's first campaign, ${round(byPosition(false))} for its second.`,
        `Every received mail's subject was checked against its envelope recipient (${a.messages + b.messages} mails, none wrong); B greets each by name, e.g. ${samples.join(', ')}.`,
        `The render step alone (this process, the worker's renderer with its compiled-template cache, ${n} recipients × 3 repetitions, interleaved): ${round(renderUs.A, 1)} µs (A) vs ${round(renderUs.B, 1)} µs (B) CPU per email, ${round((renderUs.B - renderUs.A) / 1000 / cpuA * 100, 2)} % of A's CPU per mail above.`,
        'Both templates render with `recipient` in the context (the delivery builds it for every template); A shows what a template that does not use it costs, so B / A is the cost of looking the fields up and writing a different text per mail.',
      ],
      chart: {
        unit: 'mails per second',
        series: VARIANTS.map((v) => v.label),
        groups: [...Array.from({ length: rounds }, (_, i) => ({ label: `round ${i + 1}`, values: [round(n / (a.list[i]?.seconds ?? NaN)), round(n / (b.list[i]?.seconds ?? NaN))] })), { label: 'all rounds', values: [round(a.rate), round(b.rate)] }],
      },
    };
  } finally {
    await cpuGroups.close();
    await worker.stop();
    await herald.stop();
    await temporal.stop();
  }
}

export async function benchRecipientVariables(o: BenchOptions): Promise<BenchResult> {
  const r = await runRecipientVariables(o);
  writeResult(r, { ...(o.resultsDir ? { dir: o.resultsDir } : {}), ...(o.chart === false ? { chart: false } : {}) });
  return r;
}
