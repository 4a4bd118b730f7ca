// A frequency cap is counted across notifications and holds when many sends to one user
// are prepared at the same moment by concurrent activities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedEmail, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('frequency caps under concurrency', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await seedEmail(stack, { userId: 'ada' });
  });
  afterAll(() => stack?.stop());

  it('20 concurrent sends to one user with a cap of 5 per hour: exactly 5 are sent', async () => {
    expect((await stack.request('PUT', '/v1/categories/marketing', { frequencyCap: { max: 5, windowSeconds: 3600 } })).status).toBe(200);
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await stack.request('POST', '/v1/notifications', { template: 'welcome', to: { userIds: ['ada'] }, data: { name: `n${i}` }, category: 'marketing', priority: 'high' });
        expect(r.status).toBe(202);
        return r.body.id as string;
      }),
    );
    const finals = await Promise.all(ids.map((id) => waitForFinal(stack, id, 60_000)));
    const sent = finals.filter((f) => f.counts.sent === 1).length;
    const capped = [];
    for (const id of ids) {
      const d = (await stack.request('GET', `/v1/notifications/${id}/deliveries`)).body.items[0];
      if (d.status === 'suppressed') capped.push(d.reason);
    }
    console.log(`frequency cap 5/h, 20 concurrent sends: sent=${sent} capped=${capped.length}`);
    expect(sent).toBe(5);
    expect(capped).toEqual(Array(15).fill('frequency_capped'));
    expect(stack.smtp.mails()).toHaveLength(5);
    // The dry run agrees: the user is capped now.
    const count = await stack.request('POST', '/v1/audiences/count', { to: { userIds: ['ada'] }, channels: ['email'], category: 'marketing' });
    expect(count.body.suppressed).toEqual({ frequency_capped: 1 });
  });
});
