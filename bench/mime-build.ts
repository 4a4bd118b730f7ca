// The lever "build the MIME once per distinct content, not per recipient" (issue 23), measured
// on the step itself, before and after in one run: CPU per mail of building the message the
// SMTP adapter hands to nodemailer, three ways, interleaved:
//   per mail      nodemailer's MailComposer builds every recipient's message (what Herald does);
//   parts once    the text and html parts are encoded once; each recipient's message is a root
//                 node with its own headers and the cached parts (what the lever gives when every
//                 recipient's content is the same: no tracking, no recipient variables);
//   text once     only the text part is cached; the html part is encoded per recipient (what the
//                 lever gives with open and click tracking on, Herald's default: the pixel and the
//                 links carry each delivery's id, so no two html parts are alike).
// Each for the benchmarks' small template and for a 20 KB newsletter.
//   npx tsx bench/mime-build.ts [--n 20000]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import { BENCH_TEMPLATE } from './harness.js';
import { round, runSpan, runStart, writeResult, type BenchResult } from './report.js';

export interface Body {
  label: string;
  subject: string;
  text: string;
  html: string;
}

const NEWSLETTER_ITEM = '<tr><td style="padding:12px;font-family:Arial,sans-serif"><h2 style="margin:0">Spring sale — 30 % off</h2><p>Every jacket in the shop is 30 % off until Sunday. Größen S–XL, free returns.</p><a href="https://shop.example.com/sale?utm_source=herald">See the sale</a></td></tr>';
export const BODIES: Body[] = [
  { label: 'the benchmarks’ template', subject: 'Sale 1 for friend', text: BENCH_TEMPLATE.text.replace('{{name}}', 'friend'), html: BENCH_TEMPLATE.html.replace('{{name}}', 'friend') },
  {
    label: 'a 20 KB newsletter',
    subject: 'Spring sale: 30 % off this week',
    text: 'Every jacket in the shop is 30 % off until Sunday. Sizes S–XL, free returns. See the sale: https://shop.example.com/sale\n'.repeat(40),
    html: `<html><body><table>${NEWSLETTER_ITEM.repeat(Math.ceil(20_000 / NEWSLETTER_ITEM.length))}</table></body></html>`,
  },
];

type Way = 'per mail' | 'parts once' | 'text once';
export const WAYS: Way[] = ['per mail', 'parts once', 'text once'];

/** What differs per recipient in every way: the address, the message id and the unsubscribe link; with tracking, the html too. */
function recipient(i: number) {
  return {
    to: `reader${i}@example.com`,
    messageId: `<01jf${i}.d${i}@herald.example.com>`,
    headers: { 'List-Unsubscribe': `<https://herald.example.com/u/${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

/** The html as tracking makes it for recipient i: its own pixel. */
export const trackedHtml = (html: string, i: number) => html.replace('</body>', `<img src="https://herald.example.com/o/${i}.gif" alt=""></body>`).concat(html.includes('</body>') ? '' : `<img src="https://herald.example.com/o/${i}.gif" alt="">`);

const FROM = 'Herald <noreply@example.com>';

export function builder(way: Way, body: Body): (i: number) => Promise<Buffer> {
  if (way === 'per mail') {
    return (i) => {
      const r = recipient(i);
      return new MailComposer({ from: FROM, to: r.to, subject: body.subject, text: body.text, html: trackedHtml(body.html, i), messageId: r.messageId, headers: r.headers }).compile().build();
    };
  }
  // A part built alone ends with a line break; inside a multipart the boundary's own comes after it.
  const part = async (type: string, content: string) => {
    const built = await new MimeNode(type).setContent(content).build();
    return built.subarray(0, built.toString('latin1').endsWith('\r\n') ? built.length - 2 : built.length);
  };
  const textPart = part('text/plain', body.text);
  const htmlPart = part('text/html', body.html);
  return async (i) => {
    const r = recipient(i);
    const root = new MimeNode('multipart/alternative');
    root.setHeader({ From: FROM, To: r.to, Subject: body.subject, 'Message-ID': r.messageId, ...r.headers });
    root.createChild('text/plain').setRaw(await textPart);
    if (way === 'parts once') root.createChild('text/html').setRaw(await htmlPart);
    else root.createChild('text/html').setContent(trackedHtml(body.html, i));
    return root.build();
  };
}

export async function runMimeBuild(n: number): Promise<BenchResult> {
  const start = runStart();
  const used = new Map<string, { cpuUs: number; bytes: number; mails: number }>();
  const reps = 3;
  for (let rep = 0; rep <= reps; rep += 1) {
    for (const body of BODIES) {
      for (const way of WAYS) {
        const build = builder(way, body);
        const c0 = process.cpuUsage();
        let bytes = 0;
        for (let i = 0; i < n; i += 1) bytes += (await build(i)).length;
        const c = process.cpuUsage(c0);
        // Repetition 0 warms every way up and is not counted.
        if (rep === 0) continue;
        const key = `${body.label}\u0000${way}`;
        const u = used.get(key) ?? { cpuUs: 0, bytes: 0, mails: 0 };
        used.set(key, { cpuUs: u.cpuUs + c.user + c.system, bytes: u.bytes + bytes, mails: u.mails + n });
      }
    }
  }
  const per = (body: Body, way: Way) => {
    const u = used.get(`${body.label}\u0000${way}`);
    return u ? { us: u.cpuUs / u.mails, bytes: u.bytes / u.mails } : { us: Number.NaN, bytes: Number.NaN };
  };
  const rows = BODIES.flatMap((body) =>
    WAYS.map((way) => ({
      body: body.label,
      way,
      'µs CPU per mail': round(per(body, way).us, 1),
      'bytes per mail': round(per(body, way).bytes, 0),
      'against per mail': round(per(body, way).us / per(body, 'per mail').us, 2),
    })),
  );
  const saved = (body: Body, way: Way) => round(per(body, 'per mail').us - per(body, way).us, 1);
  return {
    name: 'mime-build',
    title: 'MIME built once per distinct content',
    mode: 'custom',
    ...runSpan(start),
    params: { n, repetitions: reps, warmup: 'one repetition of every way, not counted', order: 'per repetition: each body, each way in turn' },
    columns: ['body', 'way', 'µs CPU per mail', 'bytes per mail', 'against per mail'],
    rows,
    goals: [],
    notes: [
      `CPU of this process (process.cpuUsage) building ${n} messages per way and body, ${reps} interleaved repetitions after a warm-up one. Every way writes the same headers (From, To, Subject, Message-ID, Date, MIME-Version, the unsubscribe pair) and a multipart/alternative body; sending is not measured.`,
      `Saved per mail against building every message: the benchmarks' template ${saved(BODIES[0] as Body, 'parts once')} µs with both parts once, ${saved(BODIES[0] as Body, 'text once')} µs with only the text once; the newsletter ${saved(BODIES[1] as Body, 'parts once')} and ${saved(BODIES[1] as Body, 'text once')} µs.`,
    ],
    chart: { unit: 'µs CPU per mail', series: WAYS, groups: BODIES.map((body) => ({ label: body.label, values: WAYS.map((w) => round(per(body, w).us, 1)) })) },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { n: { type: 'string' } } });
  const r = await runMimeBuild(Number(values.n ?? 5000));
  writeResult(r, {});
  console.log(JSON.stringify(r.rows, null, 1));
}
