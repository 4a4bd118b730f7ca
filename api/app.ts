import express, { type Express } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { createRenderer } from '../domain/templates/render.js';
import { createChannelRegistry } from '../channels/registry.js';
import { createMetrics } from '../common/metrics.js';
import { packagePath } from '../common/package-root.js';
import { createKeyVerifier } from './auth.js';
import { createRequestLimiter } from './rate-limit.js';
import { createIdempotency } from '../domain/idempotency/idempotency.js';
import { verifyJsonBody } from './body-guards.js';
import type { AppDeps } from './deps.js';
import { errorHandler, HttpError } from './errors.js';
import { httpMetrics } from './metrics.js';
import { accessLog } from './access-log.js';
import { createReadiness, type Readiness } from './readiness.js';
import { requestId } from './request-id.js';
import { httpTracing } from './tracing.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { createOpenApiRegistry, openApiDocument } from './openapi.js';
import type { RouteHost } from './route.js';
import { accessRoutes } from './routes/access.js';
import { devMailRoutes } from './routes/dev-mail.js';
import { healthRoutes } from './routes/health.js';
import { layoutRoutes } from './routes/layouts.js';
import { inboxRoutes } from './routes/inbox.js';
import { inboxTokenRoutes } from './routes/inbox-tokens.js';
import { notificationControlRoutes } from './routes/notification-control.js';
import { notificationRoutes } from './routes/notifications.js';
import { digestRoutes } from './routes/digests.js';
import { otpRoutes } from './routes/otp.js';
import { scheduleRoutes } from './routes/schedules.js';
import type { ProviderKinds } from '../domain/providers/configs.js';
import { providerRoutes } from './routes/providers.js';
import { webhookRoutes } from './routes/webhooks.js';
import { pushReceiptRoutes } from './routes/push-receipts.js';
import { receiptRoutes } from './routes/receipts.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { templateRoutes } from './routes/templates.js';
import { trackingRoutes } from './routes/tracking.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { recipientRoutes } from './routes/recipients.js';
import { userLinkRoutes } from './routes/user-links.js';
import { topicRoutes } from './routes/topics.js';
import { scimBodyErrors } from './scim/errors.js';
import { scimRoutes } from './scim/routes.js';
import { directoryRoutes } from './routes/directory.js';
import type { TemplateTools } from '../domain/templates/service.js';
import { createVariableValidator } from '../domain/templates/variables.js';

/** Each adapter kind's channel and config schema, read from the registry's declarations. */
function providerKinds(): ProviderKinds {
  const registry = createChannelRegistry();
  const list = registry.kinds().flatMap((kind) => {
    const a = registry.get(kind);
    return a ? [{ kind, channel: a.channel, configSchema: a.configSchema }] : [];
  });
  const recallKinds = registry.kinds().filter((k) => registry.get(k)?.limits.supportsRecall);
  void registry.close(); // adapters open nothing until they send; this only releases the objects
  return { list, recallKinds };
}

export interface AppOptions {
  /** Shared with the ops listener and flipped on SIGTERM (api/server.ts); the app makes its own when absent. */
  readiness?: Readiness;
}

export function createApp(deps: AppDeps, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For names the client (HERALD_TRUST_PROXY); req.ip is what limits see.
  app.set('trust proxy', deps.trustProxy ?? false);
  // First of all, so every response (errors from any middleware included) carries its id.
  app.use(requestId());
  app.use(accessLog(deps.logger));
  // First, so the request's span is active in everything after it (the workflow start included).
  if (deps.tracer) app.use(httpTracing(deps.tracer));
  // Security headers; the API docs page needs its own inline bootstrap, so CSP allows it there.
  app.use(helmet({ crossOriginEmbedderPolicy: false }));
  // The inbox widget runs on customers' pages: its token-only routes answer any origin (no
  // cookies are read, so there is no ambient credential to ride on; the token is a header).
  app.use('/v1/public/inbox', cors({ origin: '*', methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 }));
  app.use(cors({ origin: deps.corsOrigins ?? [], allowedHeaders: ['authorization', 'content-type', 'x-request-id'], exposedHeaders: ['x-request-id'], maxAge: 600 }));
  // Before body parsing, so the latency it records covers parsing and every route after it.
  const metrics = deps.metrics ?? createMetrics();
  app.use(httpMetrics(metrics));
  // A method a path does not have is 405 before its body is parsed (a TRACE with a malformed
  // body is still 405). The table is built from the OpenAPI document once every route is in it.
  let refuseUnknownMethods: express.RequestHandler = (_req, _res, next) => next();
  app.use((req, res, next) => refuseUnknownMethods(req, res, next));
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb', type: ['application/json', 'application/*+json'], verify: verifyJsonBody }));
  // Provider receipts arrive form-encoded (Twilio's status callbacks).
  app.use('/v1/receipts', express.urlencoded({ extended: false, limit: '64kb' }));

  const router = express.Router();
  const host: RouteHost = {
    router,
    registry: createOpenApiRegistry(),
    keys: createKeyVerifier(deps.db),
    limiter: deps.rateLimits ? createRequestLimiter(deps.db, deps.rateLimits) : undefined,
    idempotency: createIdempotency(deps.db),
  };
  // One renderer and one variable validator per app: their compile caches are shared by
  // the routes that preview, publish and submit.
  // Its adapters only lend their declared limits and measuring: they never send, so open nothing.
  const tools: TemplateTools = { renderer: createRenderer(), variables: createVariableValidator(), channels: createChannelRegistry() };
  healthRoutes(host, opts.readiness ?? createReadiness(deps));
  accessRoutes(host, deps);
  const kinds = providerKinds();
  notificationRoutes(host, deps, tools.variables, kinds);
  deliveryRoutes(host, deps);
  templateRoutes(host, deps, tools);
  layoutRoutes(host, deps, tools.renderer);
  recipientRoutes(host, deps);
  scimRoutes(host, deps);
  directoryRoutes(host, deps);
  providerRoutes(host, deps, kinds);
  webhookRoutes(host, deps);
  receiptRoutes(host, deps);
  pushReceiptRoutes(host, deps);
  suppressionRoutes(host, deps);
  trackingRoutes(host, deps);
  inboxRoutes(host, deps, deps.inbox);
  inboxTokenRoutes(host, deps, deps.inbox);
  userLinkRoutes(host, deps);
  topicRoutes(host, deps);
  otpRoutes(host, deps, tools.variables);
  scheduleRoutes(host, deps, tools.variables);
  digestRoutes(host, deps);
  notificationControlRoutes(host, deps, tools.variables);
  if (deps.capture) devMailRoutes(host, deps.capture);

  const document = openApiDocument(host.registry, deps.publicUrl);
  // Read by scripts/generate-sdk-types.ts, which builds the document without a server.
  app.locals.openApiDocument = document;
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Herald API' }));
  refuseUnknownMethods = methodNotAllowed(document as { paths?: Record<string, Record<string, unknown>> });
  // SCIM clients parse SCIM errors only: malformed bodies and refused methods (405 with Allow) included.
  app.use('/scim', scimBodyErrors(deps.logger));
  app.use(router);
  // The web dashboard, once built (`npm run build:dashboard` → dashboard/dist): its files, and
  // its index.html for client-side routes. Without a build every /dashboard path is a 404.
  const dashboardDir = packagePath('dashboard/dist');
  // The inbox widget's script is loaded by other sites' pages, so it may be embedded cross-origin.
  const crossOriginWidget = (res: express.Response, path: string) => {
    if (path.endsWith('inbox-widget.js')) res.setHeader('cross-origin-resource-policy', 'cross-origin');
  };
  app.use('/dashboard', express.static(dashboardDir, { setHeaders: crossOriginWidget }), (req, res, next) => (req.method === 'GET' ? res.sendFile('index.html', { root: dashboardDir }, (err) => err && next()) : next()));
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger));
  return app;
}
