// A digest key that keeps receiving events continues as new past the history bound: events
// for one key on the real Temporal server, none lost, each run's history bounded. The default
// run sends 4,000 past a bound of 400 (about ten runs in the chain);
// HERALD_TEST_DIGEST_EVENTS=10000 sends 10,000 past a bound of 1,000, the same ten runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, startStack, type TestStack } from '../../testkit/stack.js';

const EVENTS = Number(process.env.HERALD_TEST_DIGEST_EVENTS ?? 4_000);
/** About ten runs in the chain, at any size. */
const HISTORY_LIMIT = Math.max(100, Math.round(EVENTS / 10));
/** A workflow task can take in the signals that arrived while the one before it ran: the bound is soft by that much. */
const HISTORY_SLACK = 300;
const POSTERS = 20;
const KEY = `activity-${Date.now().toString(36)}`;
const WORKFLOW_ID = `herald-digest:default:ada:${KEY}`;

describe('a digest past its history bound', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { HERALD_HISTORY_LIMIT: String(HISTORY_LIMIT) } });
    await stack.request('PUT', '/v1/users/ada', { email: 'ada@example.com' });
    const put = await stack.request('PUT', '/v1/templates/activity-digest', {
      email: { subject: '{{count}} new events', text: '{{#each events}}- {{n}}\n{{/each}}' },
    });
    expect(put.status).toBe(201);
    await stack.request('POST', '/v1/templates/activity-digest/publish');
  });
  afterAll(() => stack?.stop());

  it(`continues as new while ${EVENTS} events arrive for one key: every event counted in the digests, the run chain bounded`, async () => {
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: POSTERS }, async () => {
        for (let n = next++; n < EVENTS; n = next++) {
          const r = await stack.request('POST', `/v1/digests/${KEY}/events`, { userId: 'ada', template: 'activity-digest', data: { n }, windowSeconds: 20 });
          statuses.push(r.status);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    expect(statuses).toHaveLength(EVENTS);

    // Each digest mail's subject carries its count; together they count every event once.
    const counted = () => stack.smtp.mails().reduce((sum, m) => sum + Number(/^(\d+) new events$/.exec(m.subject)?.[1] ?? NaN), 0);
    await eventually(async () => (counted() >= EVENTS ? true : undefined), 120_000, 250);
    await new Promise((r) => setTimeout(r, 1000));
    expect(counted()).toBe(EVENTS);
    const first = stack.smtp.mails()[0];
    // A digest lists its first 100 events in order and counts the rest.
    expect(first?.text.trim().split('\n')).toHaveLength(Math.min(100, Number(/^\d+/.exec(first?.subject ?? '')?.[0])));

    const runs = await eventually(async () => {
      const listed = [];
      for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${WORKFLOW_ID}'` })) listed.push(run);
      return listed.some((r) => r.status.name === 'COMPLETED') ? listed : undefined;
    });
    const continued = runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW');
    expect(continued.length).toBeGreaterThanOrEqual(Math.floor(EVENTS / HISTORY_LIMIT) - 1);
    // A run that flushed with nothing pending ends, and the next event starts a new chain: every run ended one way or the other.
    expect(runs.filter((r) => r.status.name !== 'CONTINUED_AS_NEW' && r.status.name !== 'COMPLETED')).toEqual([]);
    for (const run of runs) {
      const history = await stack.client.workflow.getHandle(WORKFLOW_ID, run.runId).fetchHistory();
      expect(history.events?.length ?? 0).toBeLessThanOrEqual(HISTORY_LIMIT + HISTORY_SLACK);
    }
    // The chain: every continued run names the run it continued into, and they are all one chain.
    const runIds = new Set(runs.map((r) => r.runId));
    for (const run of continued) {
      const history = await stack.client.workflow.getHandle(WORKFLOW_ID, run.runId).fetchHistory();
      const last = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
      expect(runIds.has(last?.newExecutionRunId ?? '')).toBe(true);
    }
    // A run that continued as new, and the last one, which started from what it carried over.
    await recordHistoryIfAsked(stack.client, WORKFLOW_ID, 'digest-continued-as-new', continued[0]?.runId);
    await recordHistoryIfAsked(stack.client, WORKFLOW_ID, 'digest-after-continue-as-new');
  }, 600_000);
});
