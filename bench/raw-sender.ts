// The raw baseline of `bulk-throughput`, in a process of its own as Herald's worker is: N
// pre-rendered mails through one pooled nodemailer transport (5 connections, as Herald's SMTP
// channel), at most 50 in flight. Started by the benchmark; says `ready` once its mails are
// built and starts sending on the first line it reads, so process start is not measured.
// The benchmark stops its clock when the capture server has received the N-th mail, and
// reads this process's CPU before the second line it sends lets it exit.
import { createInterface } from 'node:readline';
import nodemailer from 'nodemailer';

const [smtpUrl, count] = process.argv.slice(2);
const n = Number(count);
if (!smtpUrl || !Number.isInteger(n) || n < 1) {
  console.error('usage: raw-sender.ts <smtp-url> <count>');
  process.exit(2);
}

function renderedMail(i: number) {
  const name = `u${i}`;
  return {
    from: 'herald@example.com',
    to: `${name}@example.com`,
    subject: `Sale 1 for ${name}`,
    text: `Hello ${name}, the sale starts now.`,
    html: `<p>Hello <b>${name}</b>, the sale starts now.</p>`,
  };
}

const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 5, maxMessages: Infinity } as never);
const mails = Array.from({ length: n }, (_, i) => renderedMail(i));
const lines = createInterface({ input: process.stdin });
console.log('ready');
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
let next = 0;
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (next < mails.length) {
      const m = mails[next++];
      if (m) await transport.sendMail(m);
    }
  }),
);
transport.close();
// Stays until told to go, so the benchmark's last reading of this process's CPU finds it alive.
console.log('sent');
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();
