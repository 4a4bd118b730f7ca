// The error handler's last line of defence: what reaches it unclassified decides between a
// 4xx for the client's input, a 503 for a dependency outage and a logged 500.
import express from 'express';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../../api/errors.js';
import { createLogger } from '../../common/logger.js';

async function statusFor(err: unknown): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const app = express();
  app.get('/', () => {
    throw err;
  });
  app.use(errorHandler(createLogger('silent', 't')));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
  } finally {
    server.close();
  }
}

describe('error mapping', () => {
  it('a PostgreSQL data exception (a value it cannot hold) is a 400', async () => {
    const r = await statusFor(Object.assign(new Error('value "15087523421" is out of range for type integer'), { code: '22003' }));
    expect(r).toMatchObject({ status: 400, body: { error: { code: 'invalid_value' } } });
  });
  it('a lost database connection is a 503 with Retry-After', async () => {
    const r = await statusFor(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    expect(r).toMatchObject({ status: 503, body: { error: { code: 'dependency_unavailable' } } });
    expect(r.retryAfter).toMatch(/^[1-9]\d*$/); // whole seconds, as RFC 9110 allows
  });
  it('anything else is a 500 that says nothing internal', async () => {
    const r = await statusFor(new Error('secret internal detail'));
    expect(r.status).toBe(500);
    expect(JSON.stringify(r.body)).not.toContain('secret internal detail');
  });
});
