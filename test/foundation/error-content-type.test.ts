// An error is answered as application/json even when the handler had set another type before it
// failed (res.type('text/plain').send(await …) sets it first): schemathesis's
// response_headers_conformance found a 404 with a JSON body sent as text/plain (ST105).
import express from 'express';
import { describe, expect, it } from 'vitest';
import { errorHandler, HttpError } from '../../api/errors.js';
import { createLogger } from '../../common/logger.js';

async function answerOf(route: express.RequestHandler): Promise<{ status: number; type: string | null; body: unknown }> {
  const app = express();
  app.get('/', route);
  app.use(errorHandler(createLogger('silent', 't')));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  } finally {
    server.close();
  }
}

describe('error content type', () => {
  it.each(['text/plain', 'html', 'text/csv'])('a handler that set %s before failing answers the error as JSON', async (type) => {
    const r = await answerOf((_req, res, next) => {
      res.type(type);
      next(new HttpError(404, 'not_found', 'no provider takes receipts at this address'));
    });
    expect(r).toEqual({ status: 404, type: 'application/json; charset=utf-8', body: { error: { code: 'not_found', message: 'no provider takes receipts at this address' } } });
  });
});
