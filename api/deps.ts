import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { AnalyticsStore } from '../analytics/store.js';
import type { SnsClient } from '../channels/sns-messages.js';
import type { Timings } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { HeraldMetrics } from '../common/metrics.js';
import type { SecretBox } from '../common/secret-box.js';
import type { SignedTokenSettings } from '../common/signed-token.js';
import type { Db } from '../schema/database.js';
import type { InboxHub } from './inbox-hub.js';
import type { MailCapture } from './mail-capture.js';
import type { RateLimitSettings } from './rate-limit.js';

export interface TemporalDeps {
  client: Client;
  namespace: string;
  taskQueuePrefix: string;
  /** Base URL of the Temporal Web UI, for links to a run. */
  uiUrl: string;
}

export interface AppDeps {
  /** The primary: writes and reads that must see them. */
  db: Db;
  /**
   * Where list and analytics reads go: a streaming replica (DATABASE_REPLICA_URL) that may lag
   * the primary by a moment. Reads of an object by id stay on `db` so a client sees its own writes.
   * Defaults to `db`.
   */
  dbRead?: Db | undefined;
  /** Present when tracing is on: a server span per request (api/tracing.ts). */
  tracer?: Tracer | undefined;
  /** This process's metrics registry; the app creates its own when absent. */
  metrics?: HeraldMetrics | undefined;
  temporal: TemporalDeps;
  timings: Timings;
  publicUrl: string;
  /** HMAC key of unsubscribe links (config.signingKey); the dev default when absent. */
  signingKey?: string | undefined;
  /** Previous keys still accepted and the policy for tokens from before expiry (config.tokens). */
  tokens?: SignedTokenSettings | undefined;
  logger: Logger;
  /** Present when a capture SMTP server runs in this process (npm run dev, the test kit): mounts /v1/dev/mail. */
  capture?: MailCapture | undefined;
  /** Verifies SNS messages and confirms subscriptions (SES notifications); absent, they answer 503. */
  sns?: SnsClient | undefined;
  /** Seals provider secrets (HERALD_SECRET_KEY); without it providers cannot be configured. */
  secretBox?: SecretBox | undefined;
  /** Live in-app inbox events for the SSE stream; without it the stream answers 503. */
  inbox?: InboxHub | undefined;
  /** Per-key request rates; absent, requests are not rate limited. */
  rateLimits?: RateLimitSettings | undefined;
  /** Browser origins allowed by CORS. */
  corsOrigins?: string[] | undefined;
  /** Express `trust proxy` (HERALD_TRUST_PROXY): whose X-Forwarded-For names the client; absent, none. */
  trustProxy?: boolean | number | string | undefined;
  /**
   * Where the analytics API reads delivery events (the workers' outbox relay writes them).
   * Without it the summary answers 503.
   */
  analytics?: AnalyticsStore | undefined;
  /** How long a webhook secret keeps signing after a rotation (HERALD_WEBHOOK_ROTATION_GRACE_SECONDS); default a day. */
  webhookRotationGraceMs?: number | undefined;
  /** Request body limit, e.g. `1mb`. */
  bodyLimit?: string;
}
