// Bulk sends: maker-checker approval by signal, reject, timeout, cancel, pause/resume,
// reschedule, resend of only the failed targets, escalation and the dedup window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../common/free-port.js';
import { hashKey } from '../../domain/access/keys.js';
import { decideApproval } from '../../domain/notifications/approval.js';
import { createRuns } from '../../domain/runs/runs.js';
import { createKeyForTest } from '../../testkit/keys.js';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const GROUP_SIZE = 120;

describe('orchestration of bulk sends', () => {
  let stack: TestStack;
  let approver: string;
  beforeAll(async () => {
    stack = await startStack({
      // Past 100 history events (about three pages) a campaign continues as new: every campaign here crosses one.
      env: { HERALD_BULK_PAGE_SIZE: '25', HERALD_BULK_BATCH_SIZE: '10', HERALD_BULK_CONCURRENCY: '2', HERALD_HISTORY_LIMIT: '100' },
      smtp: { respond: (stage, { to }) => (stage === 'rcpt' && to.startsWith('bounce') ? { code: 550, message: '5.1.1 no such user' } : undefined) },
    });
    await seedEmail(stack);
    for (let i = 0; i < GROUP_SIZE; i++) {
      const res = await stack.request('PUT', `/v1/users/member-${String(i).padStart(3, '0')}`, { email: `member${i}@example.com`, groups: ['staff'] });
      if (res.status >= 300) throw new Error(JSON.stringify(res.body));
    }
    approver = await createKeyForTest(stack.db, 'default', ['approve', 'read']);
  });
  afterAll(() => stack?.stop());

  const bulk = (name: string, extra: Record<string, unknown> = {}) =>
    stack.request('POST', '/v1/notifications', { template: 'welcome', to: { groups: ['staff'] }, data: { name }, ...extra });
  const mailsFor = (name: string) => stack.smtp.mails().filter((m) => m.subject === `Welcome, ${name}!`);

  /** The runs of a finished campaign, oldest first, each with whether a pause signal reached it. */
  const runChain = (workflowId: string) =>
    eventually(async () => {
      const listed = [];
      for await (const r of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(r);
      listed.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
      if (listed.at(-1)?.status.name !== 'COMPLETED') return undefined;
      return Promise.all(
        listed.map(async (r) => {
          const events = (await stack.client.workflow.getHandle(workflowId, r.runId).fetchHistory()).events ?? [];
          return { runId: r.runId, status: r.status.name, paused: events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'pause') };
        }),
      );
    });

  it('a group send waits for approval; its creator cannot approve; an approver can, and everyone gets it once', async () => {
    const res = await bulk('Team');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ kind: 'bulk', status: 'pending_approval' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(mailsFor('Team')).toHaveLength(0);

    const summary = await stack.request('GET', `/v1/notifications/${res.body.id}/audience`, undefined, { key: approver });
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ users: GROUP_SIZE, channels: { email: { send: GROUP_SIZE } } });
    expect(summary.body.estimatedSeconds).toBeGreaterThan(0);

    const own = await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {});
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('creator_cannot_approve');
    const sender = await createKeyForTest(stack.db, 'default', ['send']);
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: sender })).status).toBe(403);

    const ok = await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, { comment: 'looks right' }, { key: approver });
    expect(ok.status).toBe(200);
    expect(ok.body.approval).toMatchObject({ comment: 'looks right' });
    // The same decision by the same approver is a retry: answered as the first time. Another is refused.
    const again = await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: approver });
    expect(again.status).toBe(200);
    expect(again.body.approval).toEqual(ok.body.approval);
    const turned = await stack.request('POST', `/v1/notifications/${res.body.id}/reject`, {}, { key: approver });
    expect(turned.status).toBe(409);
    expect(turned.body.error.code).toBe('already_decided');
    const second = await createKeyForTest(stack.db, 'default', ['approve']);
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: second })).body.error.code).toBe('already_decided');

    const done = await waitForFinal(stack, res.body.id, 60_000);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ total: GROUP_SIZE, sent: GROUP_SIZE });
    const team = mailsFor('Team');
    expect(team).toHaveLength(GROUP_SIZE);
    expect(new Set(team.map((m) => m.envelopeTo[0])).size).toBe(GROUP_SIZE);
    const audit = await stack.request('GET', '/v1/audit-log?limit=50');
    expect(audit.body.items.some((e: { action: string; targetId: string }) => e.action === 'notification.approve' && e.targetId === res.body.id)).toBe(true);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-bulk-approved');
  });

  it('an approval whose signal cannot reach Temporal is not half done: the row stays undecided, a retry sends the campaign', async () => {
    const res = await bulk('Dropped');
    expect(res.body.status).toBe('pending_approval');
    const keyId = (await stack.db.selectFrom('api_keys').select('id').where('secret_hash', '=', hashKey(approver)).executeTakeFirstOrThrow()).id;
    // The decision's signal goes to a Temporal that is not there: a port nothing listens on.
    const closedPort = await freePort();
    const unreachable = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${closedPort}` }), namespace: stack.config.temporalNamespace });
    const deadRuns = createRuns({ client: unreachable, namespace: stack.config.temporalNamespace, taskQueuePrefix: stack.config.taskQueuePrefix, uiUrl: '', timings: stack.config.timings });
    try {
      await expect(decideApproval({ db: stack.db, runs: deadRuns }, { tenantId: 'default', keyId }, res.body.id, { approved: true, comment: 'ship it' })).rejects.toMatchObject({
        code: 'dependency_unavailable',
      });
    } finally {
      await unreachable.connection.close();
    }
    const row = await stack.db.selectFrom('notifications').select(['status', 'decided_by', 'decided_at']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending_approval', decided_by: null, decided_at: null });
    const audited = await stack.db.selectFrom('audit_log').select('action').where('target_id', '=', res.body.id).where('action', '=', 'notification.approve').execute();
    expect(audited).toHaveLength(0);
    expect((await stack.request('GET', `/v1/notifications/${res.body.id}/progress`)).body).toMatchObject({ phase: 'pending_approval', approved: false });

    // The approver retries the same decision: it is recorded, signalled, audited once, and the campaign goes out.
    const retry = await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, { comment: 'ship it' }, { key: approver });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.approval).toMatchObject({ decidedBy: keyId, comment: 'ship it' });
    const done = await waitForFinal(stack, res.body.id, 60_000);
    expect(done.counts).toMatchObject({ total: GROUP_SIZE, sent: GROUP_SIZE });
    expect(new Set(mailsFor('Dropped').map((m) => m.envelopeTo[0])).size).toBe(GROUP_SIZE);
    expect(mailsFor('Dropped')).toHaveLength(GROUP_SIZE);
    const entries = await stack.db.selectFrom('audit_log').select('action').where('target_id', '=', res.body.id).where('action', '=', 'notification.approve').execute();
    expect(entries).toHaveLength(1);
  });

  it('an approval signalled but never recorded (the API died before its commit) is recorded by the retry', async () => {
    const res = await bulk('Unrecorded');
    const keyId = (await stack.db.selectFrom('api_keys').select('id').where('secret_hash', '=', hashKey(approver)).executeTakeFirstOrThrow()).id;
    // What the API had done when it died: the signal, with nothing written.
    const runs = createRuns({ client: stack.client, namespace: stack.config.temporalNamespace, taskQueuePrefix: stack.config.taskQueuePrefix, uiUrl: '', timings: stack.config.timings });
    await runs.approve(res.body.id, { by: keyId });
    const done = await waitForFinal(stack, res.body.id, 60_000);
    expect(done).toMatchObject({ status: 'completed', approval: { decidedBy: null } });
    expect(mailsFor('Unrecorded')).toHaveLength(GROUP_SIZE);
    const other = await createKeyForTest(stack.db, 'default', ['approve']);
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: other })).body.error.code).toBe('not_pending_approval');
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/reject`, {}, { key: approver })).body.error.code).toBe('not_pending_approval');

    const retry = await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, { comment: 'again' }, { key: approver });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body).toMatchObject({ status: 'completed', approval: { decidedBy: keyId, comment: 'again' } });
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: approver })).status).toBe(200);
    const entries = await stack.db.selectFrom('audit_log').select('actor').where('target_id', '=', res.body.id).where('action', '=', 'notification.approve').execute();
    expect(entries).toEqual([{ actor: keyId }]);
    expect(mailsFor('Unrecorded')).toHaveLength(GROUP_SIZE);
  });

  it('a rejected bulk send sends nothing and says who rejected it and why', async () => {
    const res = await bulk('Nope');
    const rej = await stack.request('POST', `/v1/notifications/${res.body.id}/reject`, { comment: 'wrong audience' }, { key: approver });
    expect(rej.status).toBe(200);
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('rejected');
    expect(done.statusReason).toContain('wrong audience');
    expect(mailsFor('Nope')).toHaveLength(0);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-bulk-rejected');
  });

  it('an approval that never comes rejects the send after the tenant timeout', async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { approvalTimeoutSeconds: 1 })).body.approvalTimeoutSeconds).toBe(1);
    try {
      const res = await bulk('Late');
      const done = await waitForFinal(stack, res.body.id);
      expect(done.status).toBe('rejected');
      expect(done.statusReason).toMatch(/not approved within/);
    } finally {
      await stack.request('PATCH', '/v1/tenant', { approvalTimeoutSeconds: 72 * 3600 });
    }
  });

  it('pause holds a running campaign, resume finishes it; cancel stops further deliveries', async () => {
    const res = await bulk('Paced');
    await stack.request('POST', `/v1/notifications/${res.body.id}/approve`, {}, { key: approver });
    await eventually(async () => (mailsFor('Paced').length >= 10 ? true : undefined), 30_000, 20);
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/pause`)).status).toBe(202);
    await eventually(async () => ((await stack.request('GET', `/v1/notifications/${res.body.id}`)).body.status === 'paused' ? true : undefined));
    const held = mailsFor('Paced').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(mailsFor('Paced').length).toBe(held);
    expect(held).toBeLessThan(GROUP_SIZE);
    const progress = await stack.request('GET', `/v1/notifications/${res.body.id}/progress`);
    expect(progress.body).toMatchObject({ paused: true, approved: true });
    expect((await stack.request('POST', `/v1/notifications/${res.body.id}/resume`)).status).toBe(202);
    expect((await waitForFinal(stack, res.body.id, 60_000)).counts.sent).toBe(GROUP_SIZE);
    expect(new Set(mailsFor('Paced').map((m) => m.envelopeTo[0])).size).toBe(GROUP_SIZE);
    // The campaign continued as new along the way, the pause carried across if it fell before that.
    const chain = await runChain(res.body.id);
    expect(chain.map((r) => r.status)).toEqual([...chain.slice(1).map(() => 'CONTINUED_AS_NEW'), 'COMPLETED']);
    expect(chain.length).toBeGreaterThan(1);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-bulk-continued-as-new', chain[0]?.runId);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-bulk-paused-resumed', chain.find((r) => r.paused)?.runId);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-bulk-after-continue-as-new');

    const stop = await bulk('Stopped');
    await stack.request('POST', `/v1/notifications/${stop.body.id}/approve`, {}, { key: approver });
    await eventually(async () => (mailsFor('Stopped').length >= 5 ? true : undefined), 30_000, 20);
    expect((await stack.request('POST', `/v1/notifications/${stop.body.id}/cancel`, { reason: 'typo' })).status).toBe(202);
    const done = await waitForFinal(stack, stop.body.id, 30_000);
    expect(done.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 500));
    const sent = mailsFor('Stopped').length;
    expect(sent).toBeLessThan(GROUP_SIZE);
    const counts = (await stack.request('GET', `/v1/notifications/${stop.body.id}`)).body.counts;
    expect(counts.sent).toBe(sent); // the ledger agrees with what the SMTP server got
    const rows = await stack.db.selectFrom('deliveries').select(['status', 'reason']).where('notification_id', '=', stop.body.id).where('status', '=', 'suppressed').execute();
    expect(rows.every((r) => r.reason?.startsWith('cancelled by'))).toBe(true);
    expect((await stack.request('POST', `/v1/notifications/${stop.body.id}/cancel`, {})).status).toBe(409);
    await recordHistoryIfAsked(stack.client, stop.body.id, 'notification-bulk-cancelled');
  });

  it('a scheduled send can be moved earlier; it then fires at the new time', async () => {
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Moved' }, sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    await eventually(async () => ((await stack.request('GET', `/v1/notifications/${res.body.id}`)).body.status === 'scheduled' ? true : undefined));
    const soon = new Date(Date.now() + 1500).toISOString();
    const patch = await stack.request('PATCH', `/v1/notifications/${res.body.id}`, { sendAt: soon, data: { name: 'Moved' } });
    expect(patch.status).toBe(200);
    expect(patch.body.sendAt).toBe(soon);
    await eventually(async () => (mailsFor('Moved').length === 1 ? true : undefined), 60_000);
    expect((await waitForFinal(stack, res.body.id)).status).toBe('completed');
    expect((await stack.request('PATCH', `/v1/notifications/${res.body.id}`, { sendAt: soon })).status).toBe(409);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-rescheduled');
  });

  it('resends only the failed targets, linked to the original', async () => {
    await stack.request('PUT', '/v1/users/bouncer', { email: 'bounce@example.com' });
    const res = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada', 'bouncer'] }, data: { name: 'Retry' } });
    const done = await waitForFinal(stack, res.body.id);
    expect(done.status).toBe('partially_failed');
    const resend = await stack.request('POST', `/v1/notifications/${res.body.id}/resend`, { onlyFailed: true });
    expect(resend.status).toBe(202);
    expect(resend.body).toMatchObject({ parentId: res.body.id, to: { userIds: ['bouncer'] } });
    const second = await waitForFinal(stack, resend.body.id);
    expect(second.counts.total).toBe(1);
    expect(mailsFor('Retry').filter((m) => m.envelopeTo[0] === 'ada@example.com')).toHaveLength(1); // ada not sent twice
    expect((await stack.request('POST', `/v1/notifications/${resend.body.id}/resend`, { onlyFailed: true })).status).toBe(202);
    const running = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, sendAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await stack.request('POST', `/v1/notifications/${running.body.id}/resend`, {})).status).toBe(409);
    await stack.request('POST', `/v1/notifications/${running.body.id}/cancel`, {});
  });

  it('escalates to email for whoever did not read the in-app message in time', async () => {
    await stack.request('PUT', '/v1/templates/alert', { inapp: { title: 'Alert {{n}}', body: 'Look' }, email: { subject: 'Alert {{n}} (escalated)', text: 'You missed it' } });
    await stack.request('POST', '/v1/templates/alert/publish');
    await stack.request('PUT', '/v1/users/reader', { email: 'reader@example.com' });
    const res = await stack.request('POST', '/v1/notifications', {
      template: 'alert',
      to: { userIds: ['ada', 'reader'] },
      data: { n: '7' },
      channels: ['inapp'],
      escalation: { afterSeconds: 2, channels: ['email'], until: 'read' },
    });
    expect(res.status).toBe(202);
    const inbox = await eventually(async () => {
      const r = await stack.request('GET', '/v1/inbox/reader');
      return r.body.items.length > 0 ? r.body.items : undefined;
    });
    await stack.request('POST', `/v1/inbox/reader/${inbox[0].id}/read`);
    const done = await waitForFinal(stack, res.body.id, 30_000);
    expect(done.status).toBe('completed');
    const escalated = stack.smtp.mails().filter((m) => m.subject === 'Alert 7 (escalated)');
    expect(escalated.map((m) => m.envelopeTo[0])).toEqual(['ada@example.com']);
    await recordHistoryIfAsked(stack.client, res.body.id, 'notification-escalation-local-bookkeeping');
  });

  it('the dedup window suppresses the same content to the same user', async () => {
    expect((await stack.request('PATCH', '/v1/tenant', { dedupWindowSeconds: 600, sendWindow: { start: '22:00', end: '06:00' } })).body).toMatchObject({ dedupWindowSeconds: 600, sendWindow: { start: '22:00', end: '06:00' } });
    try {
      const a = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Once only' } });
      await waitForFinal(stack, a.body.id);
      const b = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Once only' } });
      const done = await waitForFinal(stack, b.body.id);
      expect(done.counts).toMatchObject({ total: 1, suppressed: 1 });
      const [row] = (await stack.request('GET', `/v1/notifications/${b.body.id}/deliveries`)).body.items;
      expect(row.reason).toBe('duplicate');
      expect(mailsFor('Once only')).toHaveLength(1);
      const c = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: 'Different' } });
      expect((await waitForFinal(stack, c.body.id)).counts.sent).toBe(1);
    } finally {
      await stack.request('PATCH', '/v1/tenant', { dedupWindowSeconds: 0, sendWindow: null });
    }
  });
});
