// One access log line per request through pino-http, with the request id (api/request-id.ts).
// Paths are logged as their route template (`/unsubscribe/{token}`), never as sent, so the
// tokens and ids in them stay out of the logs; query strings are never logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../common/logger.js';
import { routeLabel } from './metrics.js';
import { acceptedRequestId, requestIdOf } from './request-id.js';

const PROBES = new Set(['/healthz', '/readyz']);

function requestFields(raw: IncomingMessage): Record<string, unknown> {
  const req = raw as Request;
  const route = routeLabel(req);
  return { method: req.method, route, ...(route === 'unmatched' ? { path: (req.path ?? '').slice(0, 200) } : {}), remoteAddress: req.ip };
}

export function accessLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => requestIdOf(req) ?? acceptedRequestId(undefined),
    customAttributeKeys: { reqId: 'requestId' },
    // Load balancer probes would drown everything else.
    autoLogging: { ignore: (req: IncomingMessage) => PROBES.has((req.url ?? '').split('?')[0] ?? '') },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    wrapSerializers: false,
    serializers: {
      req: requestFields,
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
