// Notifications without a run: rows inserted as the API would (acceptNotification) whose run was
// never started, or started but never recorded, as when the API is killed between the two.
// The worker's sweeper starts them (once), records the run it finds, and fails the ones that
// can no longer run; young rows, whose request may still be starting them, are left alone.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptNotification } from '../../domain/notifications/accept.js';
import { notificationRunOf } from '../../domain/runs/definitions.js';
import { createRuns } from '../../domain/runs/runs.js';
import { createVariableValidator } from '../../domain/templates/variables.js';
import { eventually, seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

const AGE_SECONDS = 3;

describe('the sweeper of notifications without a run', () => {
  let stack: TestStack;
  const variables = createVariableValidator();
  const actor = { tenantId: 'default', keyId: 'key_runless_test' };
  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_RUNLESS_SWEEP_INTERVAL_SECONDS: '1', HERALD_RUNLESS_SWEEP_AGE_SECONDS: String(AGE_SECONDS) } });
    await seedEmail(stack);
  });
  afterAll(() => stack?.stop());

  const insertWithoutRun = async (name: string, extra: Record<string, unknown> = {}) =>
    (await acceptNotification({ db: stack.db }, actor, variables, { template: 'welcome', to: { userIds: ['ada'] }, data: { name }, ...extra })).row;
  const row = (id: string) => stack.db.selectFrom('notifications').select(['status', 'status_reason', 'workflow_run_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const mailsFor = (name: string) => stack.smtp.mails().filter((m) => m.subject === `Welcome, ${name}!`);

  it('starts the run of a row the API inserted but never started, once it is old enough, and it is delivered once', async () => {
    const inserted = await insertWithoutRun('Ghost');
    const insertedAt = Date.now();
    expect(inserted.workflow_run_id).toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await row(inserted.id)).workflow_run_id).toBeNull(); // younger than the age: left alone
    const runId = await eventually(async () => (await row(inserted.id)).workflow_run_id ?? undefined, 20_000, 100);
    expect(Date.now() - insertedAt).toBeGreaterThanOrEqual(AGE_SECONDS * 1000);
    expect((await stack.client.workflow.getHandle(inserted.id).describe()).runId).toBe(runId);
    expect((await waitForFinal(stack, inserted.id)).status).toBe('completed');
    await new Promise((r) => setTimeout(r, 1500)); // more sweeps pass: none starts it again
    expect(mailsFor('Ghost')).toHaveLength(1);
    const audit = await stack.db.selectFrom('audit_log').select(['actor', 'action', 'details']).where('target_id', '=', inserted.id).execute();
    expect(audit).toEqual([{ actor: actor.keyId, action: 'notification.create', details: { startedBy: 'sweeper' } }]);
  });

  it('records the run of a row whose run was started but never recorded, without starting a second', async () => {
    // A send time an hour away keeps the row `scheduled` while its run waits.
    const inserted = await insertWithoutRun('Half', { sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    const runs = createRuns({ client: stack.client, namespace: stack.config.temporalNamespace, taskQueuePrefix: stack.config.taskQueuePrefix, uiUrl: '', timings: stack.config.timings });
    const runId = await runs.startNotification(notificationRunOf(inserted));
    expect(runId).not.toBeNull();
    expect((await row(inserted.id)).workflow_run_id).toBeNull();
    expect(await eventually(async () => (await row(inserted.id)).workflow_run_id ?? undefined, 20_000, 100)).toBe(runId);
    const history = await stack.client.workflow.getHandle(inserted.id).fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionStartedEventAttributes).length).toBe(1);
    expect((await stack.client.workflow.getHandle(inserted.id).describe()).runId).toBe(runId);
    const audit = await stack.db.selectFrom('audit_log').select('action').where('target_id', '=', inserted.id).execute();
    expect(audit).toEqual([]); // the sweeper did not start it, so it does not claim its creation
    expect((await stack.request('POST', `/v1/notifications/${inserted.id}/cancel`, {})).status).toBe(202);
    expect((await waitForFinal(stack, inserted.id)).status).toBe('cancelled');
  });

  it('a run started but never recorded that ends before any sweep records its own run id when it ends', async () => {
    const inserted = await insertWithoutRun('Quick');
    // Out of the sweeper's reach: only the run itself can record its id.
    await sql`update notifications set created_at = now() + interval '1 hour' where id = ${inserted.id}`.execute(stack.db);
    const runs = createRuns({ client: stack.client, namespace: stack.config.temporalNamespace, taskQueuePrefix: stack.config.taskQueuePrefix, uiUrl: '', timings: stack.config.timings });
    const runId = await runs.startNotification(notificationRunOf(inserted));
    expect(runId).not.toBeNull();
    expect((await waitForFinal(stack, inserted.id)).status).toBe('completed');
    expect((await row(inserted.id)).workflow_run_id).toBe(runId);
    expect(mailsFor('Quick')).toHaveLength(1);
  });

  it('marks a row that expired before anyone started it failed, with the reason and its notification.completed event, and starts nothing', async () => {
    const inserted = await insertWithoutRun('Stale', { expiresAt: new Date(Date.now() + 1000).toISOString() });
    const failed = await eventually(async () => {
      const r = await row(inserted.id);
      return r.status === 'failed' ? r : undefined;
    }, 20_000, 100);
    expect(failed.workflow_run_id).toBeNull();
    expect(failed.status_reason).toMatch(/never started, and it expired at/);
    // Its outcome is in the event outbox (for webhook endpoints), written with the status.
    const completed = await stack.db.selectFrom('event_outbox').select(['topic', 'payload']).where('event_id', '=', `${inserted.id}:notification.completed`).executeTakeFirstOrThrow();
    expect(completed).toMatchObject({ topic: 'notification.completed', payload: { notificationId: inserted.id, status: 'failed', reason: failed.status_reason } });
    await expect(stack.client.workflow.getHandle(inserted.id).describe()).rejects.toThrow(/not found/i);
    expect(mailsFor('Stale')).toHaveLength(0);
  });
});
