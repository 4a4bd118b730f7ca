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

/** Serialized when the request starts (pino-http binds it then): what is known before routing. */
function requestFields(raw: IncomingMessage): Record<string, unknown> {
  const req = raw as Request;
  return { method: req.method, remoteAddress: req.ip };
}

/** Added when the response is done, so the route the request matched is known. */
function routeFields(raw: IncomingMessage, _res: ServerResponse, fields: object): object {
  const req = raw as Request;
  const route = routeLabel(req);
  return { ...fields, route, ...(route === 'unmatched' ? { path: (req.path ?? '').slice(0, 200) } : {}) };
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
    customSuccessObject: routeFields,
    customErrorObject: (req: IncomingMessage, res: ServerResponse, _err: Error, fields: object) => routeFields(req, res, fields),
    wrapSerializers: false,
    serializers: {
      req: requestFields,
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
