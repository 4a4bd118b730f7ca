// HTTP metrics for the API and the /metrics endpoint that exposes a process's registry.
import type { Request, RequestHandler, Response } from 'express';
import type { HeraldMetrics } from '../common/metrics.js';

/**
 * Labels a request by the route template it matched (`/v1/notifications/{id}`), so ids in
 * paths cannot blow up the number of series; requests no route matched share one label.
 */
export function routeLabel(req: Request): string {
  const path: unknown = req.route?.path;
  if (typeof path !== 'string') return 'unmatched';
  return `${req.baseUrl}${path}`.replace(/:(\w+)/g, '{$1}');
}

export function httpMetrics(metrics: HeraldMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      end(labels);
      metrics.httpRequests.inc(labels);
    });
    next();
  };
}

export function metricsEndpoint(metrics: HeraldMetrics): RequestHandler {
  return async (_req: Request, res: Response) => {
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
