// The API's operations listener (HERALD_OPS_PORT): Prometheus /metrics, a detailed /readyz
// naming each dependency's state and error, and /healthz. It is meant for the cluster's
// scraper and probes, not the public network, so it carries what the public port must not.
import express, { type Express } from 'express';
import type { HeraldMetrics } from '../common/metrics.js';
import { metricsEndpoint } from './metrics.js';
import type { Readiness } from './readiness.js';

export function createOpsApp(metrics: HeraldMetrics, readiness: Readiness): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsEndpoint(metrics));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', (_req, res, next) => {
    readiness.check().then((report) => {
      if (!report.ok) res.setHeader('Retry-After', '5');
      res.status(report.ok ? 200 : 503).json(report);
    }, next);
  });
  app.use((req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}; the ops port serves /metrics, /readyz and /healthz` } });
  });
  return app;
}
