import type { Client } from '@temporalio/client';
import type { Timings } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { SecretBox } from '../common/secret-box.js';
import type { CaptureSmtp } from '../local/capture-smtp.js';
import type { Db } from '../schema/database.js';

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
  temporal: TemporalDeps;
  timings: Timings;
  publicUrl: string;
  logger: Logger;
  /** Present when the capture SMTP server runs in this process (development). */
  capture?: CaptureSmtp | undefined;
  /** Seals provider secrets (HERALD_SECRET_KEY); without it providers cannot be configured. */
  secretBox?: SecretBox | undefined;
  /** Request body limit, e.g. `1mb`. */
  bodyLimit?: string;
}
