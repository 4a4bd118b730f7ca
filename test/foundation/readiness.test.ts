// Readiness against an unreachable Temporal server: the probe answers at its timeout, while
// the client goes on retrying the call on timers of its own. Closing the connection under
// such a retry throws "Channel has been shut down" from a timer, which crashes a process;
// settled() is what the API server waits for before its connection is closed.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadiness } from '../../api/readiness.js';
import { freePort } from '../../common/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../testkit/database.js';

describe('readiness probes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('a Temporal probe that outlives its answer is waited for, so closing the connection afterwards throws nothing', async () => {
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500 });
    const client = new Client({ connection, namespace: 'default' });
    const readiness = createReadiness({ db: database.db, temporal: { client, namespace: 'default', taskQueuePrefix: 'dead', uiUrl: 'http://localhost:8233' } });
    const uncaught: Error[] = [];
    const onUncaught = (err: Error) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const started = Date.now();
      const report = await readiness.check();
      expect(report.ok).toBe(false);
      expect(report.checks.postgres).toBe('ok');
      expect(report.checks.temporal).toMatch(/^down: /);
      expect(Date.now() - started).toBeLessThan(3000);

      // The call behind the answer is still running (in a retry's back-off).
      let settled = false;
      const waiting = readiness.settled().then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false);
      await waiting;
      await connection.close();
      // Longer than the client's longest back-off between two retries at this point.
      await new Promise((r) => setTimeout(r, 2500));
      expect(uncaught.map((e) => e.message)).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});
