import type { ChannelRegistry } from '../channels/registry.js';
import type { SmtpConfig } from '../channels/smtp.js';
import type { Logger } from '../common/logger.js';
import type { Db } from '../schema/database.js';
import type { Renderer } from './render.js';

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
}
