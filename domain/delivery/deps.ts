import type { Logger } from '../../common/logger.js';
import type { SignedTokenSettings } from '../../common/signed-token.js';
import type { VariableValidator } from '../templates/variables.js';
import type { Renderer } from '../templates/render.js';
import type { Tracker } from '../tracking/tracker.js';
import type { RouterDeps } from './provider-router.js';

/** What the delivery rules need (the provider router's needs included), built once per worker process. */
export interface DeliveryDeps extends RouterDeps {
  renderer: Renderer;
  logger: Logger;
  /** Host part of generated Message-IDs. */
  messageIdDomain: string;
  /** Checks template variables when a run starts. */
  variables: VariableValidator;
  /** HMAC key of unsubscribe links (config.signingKey), for `unsubscribeHeaders` on email. */
  signingKey?: string | undefined;
  /** Lifetimes of the unsubscribe and tracking links put into mail (config.tokens). */
  tokens?: SignedTokenSettings | undefined;
  /** Domain of VERP bounce addresses (config.bounceDomain); unset: no per-delivery envelope sender. */
  bounceDomain?: string | undefined;
  /** Activity log rows and analytics events for every delivery state change. */
  tracker: Tracker;
}
