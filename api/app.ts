import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { createKeyVerifier } from './auth.js';
import type { AppDeps } from './deps.js';
import { errorHandler, HttpError } from './errors.js';
import { createOpenApiRegistry, openApiDocument } from './openapi.js';
import type { RouteHost } from './route.js';
import { accessRoutes } from './routes/access.js';
import { devMailRoutes } from './routes/dev-mail.js';
import { healthRoutes } from './routes/health.js';
import { notificationRoutes } from './routes/notifications.js';
import { templateRoutes } from './routes/templates.js';
import { userRoutes } from './routes/users.js';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb', type: ['application/json', 'application/*+json'] }));

  const router = express.Router();
  const host: RouteHost = { router, registry: createOpenApiRegistry(), keys: createKeyVerifier(deps.db) };
  healthRoutes(host, deps);
  accessRoutes(host, deps);
  notificationRoutes(host, deps);
  templateRoutes(host, deps);
  userRoutes(host, deps);
  if (deps.capture) devMailRoutes(host, deps.capture);

  const document = openApiDocument(host.registry, deps.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Herald API' }));
  app.use(router);
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
