import type { Tracer } from '@opentelemetry/api';
import type { ChannelRegistry } from '../channels/registry.js';
import type { SmtpConfig } from '../channels/smtp.js';
import type { Logger } from '../common/logger.js';
import type { HeraldMetrics } from '../common/metrics.js';
import type { SecretBox } from '../common/secret-box.js';
import type { SignedTokenSettings } from '../common/signed-token.js';
import type { CircuitSettings } from '../domain/delivery/provider-router.js';
import type { Db } from '../schema/database.js';
import type { VariableValidator } from '../domain/templates/variables.js';
import type { Renderer } from '../domain/templates/render.js';
import type { Tracker } from '../domain/tracking/tracker.js';

/** Everything activities need, built once per worker process and passed in. */
export interface ActivityDeps {
  db: Db;
  channels: ChannelRegistry;
  renderer: Renderer;
  logger: Logger;
  /** The email provider used when a tenant has configured none (SMTP_URL, or the capture server). */
  defaultSmtp: SmtpConfig | undefined;
  /** Host part of generated Message-IDs. */
  messageIdDomain: string;
  /** Opens sealed provider configs; without it only the default SMTP provider works. */
  secretBox: SecretBox | undefined;
  circuit: CircuitSettings;
  /** Checks template variables when a schedule fires. */
  variables: VariableValidator;
  /** Herald's public base URL (receipt callbacks, links). */
  publicUrl: string;
  /** HMAC key of unsubscribe links (config.signingKey), for `unsubscribeHeaders` on email. */
  signingKey?: string | undefined;
  /** Lifetimes of the unsubscribe and tracking links put into mail (config.tokens). */
  tokens?: SignedTokenSettings | undefined;
  /** Resolvers for webhook and HTTP gateway host names (config.dnsServers); empty: the system's. */
  dnsServers?: readonly string[] | undefined;
  /** Domain of VERP bounce addresses (config.bounceDomain); unset: no per-delivery envelope sender. */
  bounceDomain?: string | undefined;
  /** Activity log rows and analytics events for every delivery state change. */
  tracker: Tracker;
  /** The worker process's Prometheus registry (provider errors; deliveries are counted by the tracker). */
  metrics?: HeraldMetrics | undefined;
  /** Present when tracing is on: provider calls become spans. */
  tracer?: Tracer | undefined;
}
