// bench/recipient-variables.ts: its check of every received subject catches a mail rendered for
// the wrong person or without the recipient's fields (so the measurement cannot pass with
// rendering skipped), and the program runs end to end at a small N on the run's dev server.
// Timings are never asserted here (the program measures them).
import { describe, expect, inject, it } from 'vitest';
import { runRecipientVariables, subjectChecker, VARIANTS } from '../../bench/recipient-variables.js';
import type { CapturedMail } from '../../local/capture-smtp.js';

const mail = (to: string, subject: string) => ({ envelopeTo: [to], subject }) as CapturedMail;
const [dataOnly, personal] = VARIANTS as [(typeof VARIANTS)[number], (typeof VARIANTS)[number]];

describe('bench recipient-variables: the subject check', () => {
  it('passes B mails that greet their own recipient by name and email, and counts every mail checked', () => {
    const check = subjectChecker();
    check.expect(personal, 'B1');
    check.onMail(mail('r7@example.com', 'Hi Reader R7, sale B1 for r7@example.com'));
    check.onMail(mail('r8@example.com', 'Hi Reader R8, sale B1 for r8@example.com'));
    expect(check.result()).toMatchObject({ checked: 2, wrong: 0 });
  });

  it('flags a B mail rendered with the data-only greeting, for another recipient, or with the id for the name', () => {
    const check = subjectChecker();
    check.expect(personal, 'B1');
    check.onMail(mail('r7@example.com', 'Hi friend, sale B1 for everyone'));
    check.onMail(mail('r7@example.com', 'Hi Reader R8, sale B1 for r8@example.com'));
    check.onMail(mail('r7@example.com', 'Hi r7, sale B1 for r7@example.com'));
    const r = check.result();
    expect(r).toMatchObject({ checked: 3, wrong: 3 });
    expect(r.firstWrong[0]).toContain('want "Hi Reader R7, sale B1 for r7@example.com"');
  });

  it('flags an A mail from another campaign (its run differs)', () => {
    const check = subjectChecker();
    check.expect(dataOnly, 'A2');
    check.onMail(mail('r1@example.com', 'Hi friend, sale A2 for everyone'));
    check.onMail(mail('r1@example.com', 'Hi friend, sale A1 for everyone'));
    expect(check.result()).toMatchObject({ checked: 2, wrong: 1 });
  });
});

describe('bench recipient-variables: end to end', () => {
  it('sends A/B/A/B campaigns of 120, every mail checked, and reports both goals with CPU per mail for every campaign', async () => {
    const r = await runRecipientVariables({ full: false, n: 120, temporal: { address: inject('temporalAddress'), bundlePath: inject('workflowBundlePath') } });
    expect(r.params.sequence).toBe('A1 B1 A2 B2');
    expect(r.rows.map((row) => `${String(row.template).slice(0, 1)}${row.round}`)).toEqual(['A1', 'B1', 'A2', 'B2', 'Aall', 'Ball']);
    for (const row of r.rows) expect(Number(row['mails/s']) > 0 && Number(row['CPU ms per mail']) > 0 && Number(row['worker CPU ms per mail']) > 0, String(row.template)).toBe(true);
    expect(r.goals.map((g) => g.name)).toEqual([expect.stringMatching(/^throughput B \/ A/), expect.stringMatching(/^CPU per mail B \/ A/)]);
    for (const g of r.goals) expect(Number.isFinite(g.ratio) && g.ratio > 0).toBe(true);
    expect(r.cpu).toHaveLength(2 + 4);
    expect(r.notes.join('\n')).toMatch(/\(480 mails, none wrong\); B greets each by name, e\.g\. r\d+@example\.com → "Hi Reader R\d+, sale B1 for r\d+@example\.com"/);
  });
});
