// 100k users: imported as a streamed JSON-lines body, then resolved page by page with the
// memory of the process measured, and counted by the dry run.
import { sql } from 'kysely';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAudiencePage } from '../../domain/audience/audience.js';
import type { AudienceSelectors } from '../../schema/queries/audience.js';
import { ADMIN_KEY, startStack, type TestStack } from '../../testkit/stack.js';

const N = 100_000;
const MB = 1024 * 1024;

function* userLines(): Generator<string> {
  for (let i = 0; i < N; i++) {
    const id = `user-${String(i).padStart(6, '0')}`;
    const groups = i % 10 === 0 ? ['tenth'] : [];
    yield `${JSON.stringify({ id, email: `${id}@example.com`, groups, modules: i % 4 === 0 ? ['quarter'] : [], attributes: { n: i, plan: i % 3 === 0 ? 'pro' : 'free' } })}\n`;
  }
}

describe('a 100k-user audience', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('imports 100k JSON lines from a streamed body', async () => {
    const started = Date.now();
    // Lines are generated as the request body is read: neither side ever holds the file.
    const body = Readable.toWeb(Readable.from(userLines())) as ReadableStream<Uint8Array>;
    const res = await fetch(`${stack.api.url}/v1/users/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
    } as RequestInit);
    const report = (await res.json()) as any;
    const ms = Date.now() - started;
    console.log(`import: ${N} lines in ${ms} ms (${Math.round(N / (ms / 1000))} users/s; server-side ${report.ms} ms)`);
    expect(res.status).toBe(200);
    expect(report).toMatchObject({ lines: N, imported: N, failed: 0 });
    expect((await stack.request('GET', '/v1/groups')).body.items).toEqual([expect.objectContaining({ id: 'tenth', members: N / 10 })]);
    // The import refreshed the planner's statistics as the tables grew; without it the
    // membership rows' foreign-key checks scan users (≈ 3 s per 1000 rows at 30k users).
    const analyzed = await sql<{ relname: string; last_analyze: Date | null }>`select relname, last_analyze from pg_stat_user_tables where relname in ('users', 'user_groups')`.execute(stack.db);
    expect(analyzed.rows.map((r) => [r.relname, r.last_analyze !== null]).sort()).toEqual([['user_groups', true], ['users', true]]);
  }, 300_000);

  it('resolves in pages with bounded memory, de-duplicated across selectors', async () => {
    // Every user matches the segment, and 10k + 25k of them match a group or module too:
    // the union is all 100k users, each once.
    const audience: AudienceSelectors = { groups: ['tenth'], modules: ['quarter'], segment: { conditions: [{ attribute: 'plan', in: ['pro', 'free'] }] } };
    const expected = N;

    const pageSize = 1000;
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    let total = 0;
    let pages = 0;
    let last = '';
    let cursor: string | null = null;
    const started = Date.now();
    do {
      const page = await resolveAudiencePage(stack.db, 'default', audience, cursor, pageSize);
      expect(page.userIds.length).toBeLessThanOrEqual(pageSize);
      // Strictly increasing ids across pages: no user twice, none skipped by the cursor.
      for (const id of page.userIds) {
        expect(id > last).toBe(true);
        last = id;
      }
      total += page.userIds.length;
      pages++;
      cursor = page.nextCursor;
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    } while (cursor !== null);
    const ms = Date.now() - started;
    const heapGrowth = (peakHeap - base.heapUsed) / MB;
    const rssGrowth = (peakRss - base.rss) / MB;
    console.log(
      `audience: ${total} users in ${pages} pages of ${pageSize} in ${ms} ms; peak heap growth ${heapGrowth.toFixed(1)} MB, peak RSS growth ${rssGrowth.toFixed(1)} MB`,
    );
    expect(total).toBe(expected);
    // Holding the audience would be 100k ids and their rows; a page is a thousand ids.
    expect(heapGrowth).toBeLessThan(48);
  }, 300_000);

  it('counts 100k users with the dry run', async () => {
    const started = Date.now();
    const r = await stack.request('POST', '/v1/audiences/count', { to: { all: true }, channels: ['email', 'sms'] });
    console.log(`count: ${r.body.users} users in ${Date.now() - started} ms`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ users: N, usersReached: N, channels: { email: { send: N }, sms: { send: 0, suppressed: { no_identity: N } } } });
  }, 300_000);
});
