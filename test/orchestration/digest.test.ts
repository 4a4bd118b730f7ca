import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistoryIfAsked } from '../helpers/histories.js';
import { eventually, startStack, waitForFinal, type TestStack } from '../../testkit/stack.js';

describe('digest', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
    await stack.request('PUT', '/v1/users/ada', { email: 'ada@example.com' });
    const put = await stack.request('PUT', '/v1/templates/comments-digest', {
      email: { subject: '{{count}} new comments', text: '{{#each events}}- {{author}}: {{text}}\n{{/each}}' },
    });
    expect(put.status).toBe(201);
    await stack.request('POST', '/v1/templates/comments-digest/publish');
  });
  afterAll(() => stack?.stop());

  it('merges N events of a window into one message, and a later event opens a new window', async () => {
    const post = (text: string) =>
      stack.request('POST', '/v1/digests/comments/events', { userId: 'ada', template: 'comments-digest', data: { author: 'bob', text }, windowSeconds: 2 });
    const results = await Promise.all(['first', 'second', 'third', 'fourth', 'fifth'].map(post));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    const [mail] = await stack.smtp.waitForCount(1, 20_000);
    expect(mail?.subject).toBe('5 new comments');
    for (const t of ['first', 'second', 'third', 'fourth', 'fifth']) expect(mail?.text).toContain(`- bob: ${t}`);
    await new Promise((r) => setTimeout(r, 2500));
    expect(stack.smtp.mails()).toHaveLength(1);
    await recordHistoryIfAsked(stack.client, 'herald-digest:default:ada:comments', 'digest');

    expect((await post('sixth')).status).toBe(202);
    const mails = await stack.smtp.waitForCount(2, 20_000);
    expect(mails[1]?.subject).toBe('1 new comments');
    const list = await stack.request('GET', '/v1/notifications?template=comments-digest');
    expect(list.body.items).toHaveLength(2);
    await eventually(async () => ((await waitForFinal(stack, list.body.items[0].id)).status === 'completed' ? true : undefined));
  });

  it('refuses an unknown user or template before collecting anything', async () => {
    const u = await stack.request('POST', '/v1/digests/comments/events', { userId: 'ghost', template: 'comments-digest', data: {} });
    expect(u.status).toBe(422);
    const t = await stack.request('POST', '/v1/digests/comments/events', { userId: 'ada', template: 'nope', data: {} });
    expect(t.status).toBe(422);
  });
});
