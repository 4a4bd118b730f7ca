// A recurring bulk send is approved once per schedule version: approving one firing (or the
// schedule itself) covers the later firings of that version; an edit asks again. Through the
// API, with real approvals, real firings of a Temporal Schedule and mail at a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../domain/access/keys.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const STAFF = 4;

describe('approval of a recurring bulk send', () => {
  let stack: TestStack;
  let approver: string;
  let approverId: string;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack);
    for (let i = 0; i < STAFF; i++) await stack.request('PUT', `/v1/users/staff-${i}`, { email: `staff${i}@example.com`, groups: ['staff'] });
    approver = await createKeyForTest(stack.db, 'default', ['approve', 'read']);
    approverId = (await stack.db.selectFrom('api_keys').select('id').where('secret_hash', '=', hashKey(approver)).executeTakeFirstOrThrow()).id;
  });
  afterAll(() => stack?.stop());

  const mailsWith = (name: string) => stack.smtp.mails().filter((m) => m.subject === `Welcome, ${name}!`);
  const setPaused = async (paused: boolean) => expect((await stack.request('PATCH', '/v1/schedules/weekly-approval', { paused })).body.paused).toBe(paused);
  /** The notifications the schedule's firings made, oldest first. */
  const firings = async (): Promise<any[]> => (await stack.request('GET', '/v1/notifications?template=welcome&limit=100')).body.items.reverse();
  /** Resumes the schedule until a firing newer than `known` exists, pauses it again, and returns that firing. */
  async function nextFiring(known: number): Promise<any> {
    await setPaused(false);
    const n = await eventually(async () => (await firings())[known], 30_000, 200);
    await setPaused(true);
    return n;
  }

  it('asks at the first firing; that approval covers later firings of the version; an edit asks again; approving the schedule covers the new version', async () => {
    const created = await stack.request('POST', '/v1/schedules', {
      id: 'weekly-approval',
      everySeconds: 2,
      paused: true,
      notification: { template: 'welcome', to: { groups: ['staff'] }, data: { name: 'V1' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ version: 1, approval: null });

    // Version 1, first firing: a bulk send waiting for a checker, like any other.
    const first = await nextFiring(0);
    expect(first).toMatchObject({ kind: 'bulk', status: 'pending_approval' });
    expect((await stack.request('POST', `/v1/notifications/${first.id}/approve`, {})).body.error.code).toBe('creator_cannot_approve');
    expect((await stack.request('POST', `/v1/notifications/${first.id}/approve`, { comment: 'weekly digest ok' }, { key: approver })).status).toBe(200);
    expect((await waitForFinal(stack, first.id)).counts.sent).toBe(STAFF);
    expect((await stack.request('GET', '/v1/schedules/weekly-approval')).body.approval).toMatchObject({ version: 1, approvedBy: approverId });

    // Later firings of version 1 go out without asking, the approver's decision recorded on each.
    const known = (await firings()).length;
    const second = await nextFiring(known);
    const done = await waitForFinal(stack, second.id);
    expect(done).toMatchObject({ status: 'completed', approval: { decidedBy: approverId, comment: 'approved with version 1 of schedule weekly-approval' } });
    await eventually(async () => (mailsWith('V1').length >= STAFF * 2 ? true : undefined));
    const parent = (await stack.client.workflow.getHandle(second.id).describe()).parentExecution?.workflowId;
    expect(parent).toMatch(/^herald-schedule:default:weekly-approval/);
    await recordHistoryIfAsked(stack.client, parent ?? '', 'scheduled-send-preapproved');
    await recordHistoryIfAsked(stack.client, second.id, 'notification-bulk-schedule-preapproved');

    // An edit is a new version: its firings ask again, and nothing of it goes out unapproved.
    const edited = await stack.request('PATCH', '/v1/schedules/weekly-approval', { notification: { template: 'welcome', to: { groups: ['staff'] }, data: { name: 'V2' } } });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ version: 2, approval: { version: 1 } });
    const third = await nextFiring((await firings()).length);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await stack.request('GET', `/v1/notifications/${third.id}`)).body).toMatchObject({ status: 'pending_approval', approval: { decidedBy: null } });
    expect(mailsWith('V2')).toHaveLength(0);

    // Approving the schedule itself: maker-checker, then the next firing of version 2 goes out.
    expect((await stack.request('POST', '/v1/schedules/weekly-approval/approve')).body.error.code).toBe('creator_cannot_approve');
    const approved = await stack.request('POST', '/v1/schedules/weekly-approval/approve', undefined, { key: approver });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.approval).toMatchObject({ version: 2, approvedBy: approverId });
    const fourth = await nextFiring((await firings()).length);
    expect((await waitForFinal(stack, fourth.id)).status).toBe('completed');
    // A firing under way at the pause may land too: every firing since the approval went out, each to everyone once.
    await new Promise((r) => setTimeout(r, 2500));
    const since = (await firings()).filter((n) => n.createdAt > approved.body.approval.approvedAt);
    expect(since.length).toBeGreaterThanOrEqual(1);
    for (const n of since) expect((await waitForFinal(stack, n.id)).status).toBe('completed');
    expect(mailsWith('V2')).toHaveLength(STAFF * since.length);
    expect(new Set(mailsWith('V2').map((m) => m.envelopeTo[0])).size).toBe(STAFF);
    // The firing made before the schedule's approval still waits for its own decision.
    expect((await stack.request('GET', `/v1/notifications/${third.id}`)).body.status).toBe('pending_approval');
    const audit = await stack.request('GET', '/v1/audit-log?limit=100');
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'schedule.update' || e.action === 'schedule.approve').map((e: { action: string }) => e.action).sort()).toEqual(['schedule.approve', 'schedule.update']);
  });

  it('refuses an edit that does not satisfy the template, naming the problem, and an empty patch', async () => {
    const bad = await stack.request('PATCH', '/v1/schedules/weekly-approval', { notification: { template: 'nope', to: { groups: ['staff'] }, data: {} } });
    expect(bad.status).toBe(422);
    const empty = await stack.request('PATCH', '/v1/schedules/weekly-approval', {});
    expect(empty.status).toBe(400);
    expect((await stack.request('GET', '/v1/schedules/weekly-approval')).body.version).toBe(2);
    expect((await stack.request('POST', '/v1/schedules/ghost/approve', undefined, { key: approver })).status).toBe(404);
  });
});
