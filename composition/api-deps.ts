// The API's dependencies: a Temporal client, the inbox listener, the read replica and the
// API's trace export, around what the whole process shares (database, logger, analytics).
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { AnalyticsStore } from '../analytics/store.js';
import type { AppDeps } from '../api/deps.js';
import { createInboxHub } from '../api/inbox-hub.js';
import type { MailCapture } from '../api/mail-capture.js';
import { temporalClientInterceptors } from '../api/tracing.js';
import { createSnsClient, snsSettings } from '../channels/sns-messages.js';
import type { HeraldConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { createSecretBox } from '../common/secret-box.js';
import { createTelemetry, type Telemetry } from '../common/tracing.js';
import { createDb } from '../schema/connect.js';
import type { Db } from '../schema/database.js';
import { temporalConnectionOf } from './temporal-address.js';

export interface ComposedApi {
  deps: AppDeps;
  /** Where the API records events (receipts, recalls, opens, clicks) and reads the summary from. */
  analytics: AnalyticsStore;
  /** The API's trace export when tracing is on (flush it to read a request's spans at once). */
  telemetry: Telemetry | undefined;
  /** After the server closed: the inbox listener, Temporal connection, trace export, replica pool. */
  close(): Promise<void>;
}

export interface ApiShared {
  db: Db;
  logger: Logger;
  analytics: AnalyticsStore;
  mailCapture: MailCapture | undefined;
}

export function composeApiDeps(config: HeraldConfig, shared: ApiShared): ComposedApi {
  const { db, logger } = shared;
  // Writes and reads that must see them stay on the primary; lists and analytics may lag.
  const dbRead = config.databaseReplicaUrl ? createDb(config.databaseReplicaUrl, { applicationName: 'herald-api-read', max: config.databasePool?.replicaMax }) : undefined;
  // Lazy: the API starts and answers 503 while Temporal is unreachable, then recovers.
  const connection = Connection.lazy(temporalConnectionOf(config));
  // Each request is a span, and the workflows it starts continue its trace.
  const telemetry = config.tracing ? createTelemetry(config.tracing, 'herald-api') : undefined;
  const client = new Client({ connection, namespace: config.temporalNamespace, interceptors: temporalClientInterceptors(telemetry) });
  const inbox = config.databaseUrl ? createInboxHub(config.databaseUrl, logger) : undefined;
  const sns = createSnsClient(snsSettings({ ...config.sns, ca: config.sns.caFile ? readFileSync(config.sns.caFile, 'utf8') : undefined, dnsServers: config.dnsServers }));
  const deps: AppDeps = {
    db,
    dbRead,
    temporal: { client, namespace: config.temporalNamespace, taskQueuePrefix: config.taskQueuePrefix, uiUrl: config.temporalUiUrl },
    timings: config.timings,
    publicUrl: config.publicUrl,
    signingKey: config.signingKey,
    tokens: config.tokens,
    logger,
    tracer: telemetry?.tracer,
    inbox,
    analytics: shared.analytics,
    webhookRotationGraceMs: config.webhooks.rotationGraceMs,
    secretBox: config.secretKey ? createSecretBox(config.secretKey) : undefined,
    rateLimits: config.rateLimits,
    corsOrigins: config.corsOrigins,
    trustProxy: config.trustProxy,
    capture: shared.mailCapture,
    sns,
  };
  return {
    deps,
    analytics: shared.analytics,
    telemetry,
    async close() {
      await inbox?.close();
      await connection.close();
      await telemetry?.shutdown(); // sends the spans of the last requests
      await dbRead?.destroy();
      await sns.close();
    },
  };
}
