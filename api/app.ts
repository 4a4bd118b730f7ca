import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { createRenderer } from '../activities/render.js';
import { createKeyVerifier } from './auth.js';
import type { AppDeps } from './deps.js';
import { errorHandler, HttpError } from './errors.js';
import { createOpenApiRegistry, openApiDocument } from './openapi.js';
import type { RouteHost } from './route.js';
import { accessRoutes } from './routes/access.js';
import { devMailRoutes } from './routes/dev-mail.js';
import { healthRoutes } from './routes/health.js';
import { layoutRoutes } from './routes/layouts.js';
import { notificationRoutes } from './routes/notifications.js';
import { templateRoutes } from './routes/templates.js';
import { userRoutes } from './routes/users.js';
import type { TemplateTools } from './template-service.js';
import { createVariableValidator } from './template-variables.js';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb', type: ['application/json', 'application/*+json'] }));

  const router = express.Router();
  const host: RouteHost = { router, registry: createOpenApiRegistry(), keys: createKeyVerifier(deps.db) };
  // One renderer and one variable validator per app: their compile caches are shared by
  // the routes that preview, publish and submit.
  const tools: TemplateTools = { renderer: createRenderer(), variables: createVariableValidator() };
  healthRoutes(host, deps);
  accessRoutes(host, deps);
  notificationRoutes(host, deps, tools.variables);
  templateRoutes(host, deps, tools);
  layoutRoutes(host, deps, tools.renderer);
  userRoutes(host, deps);
  if (deps.capture) devMailRoutes(host, deps.capture);

  const document = openApiDocument(host.registry, deps.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Herald API' }));
  app.use(router);
  // The web dashboard, once built (`npm run build:dashboard` → dashboard/dist): its files, and
  // its index.html for client-side routes. Without a build every /dashboard path is a 404.
  const dashboardDir = `${import.meta.dirname}/../dashboard/dist`;
  app.use('/dashboard', express.static(dashboardDir), (req, res, next) => (req.method === 'GET' ? res.sendFile('index.html', { root: dashboardDir }, (err) => err && next()) : next()));
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
