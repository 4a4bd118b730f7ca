// Idempotency keys for every creating request (draft-ietf-httpapi-idempotency-key-header, as
// Stripe does it): the first request with a key runs and its response is kept; the same key
// with the same request replays that response; with another request it is refused (422); while
// the first is still running, a second is told so (409). Keys are per tenant and kept
// IDEMPOTENCY_RETENTION_HOURS. A request that fails (an error, a dependency down) keeps
// nothing, so its retry runs again.
import { canonicalHash } from '../notifications/canonical-json.js';
import type { Db } from '../../schema/database.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  deleteExpiredIdempotencyKeys,
  findIdempotencyKey,
  releaseIdempotencyKey,
} from '../../schema/queries/idempotency-keys.js';
import { conflict, DomainError, invalid, unprocessable } from '../errors.js';

export const IDEMPOTENCY_RETENTION_HOURS = 24;
/** How long a request may hold its key before a retry of it may take the key over (its process died). */
const IN_FLIGHT_LOCK_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;
/** 1–255 printable ASCII characters, not starting or ending with a space (the OpenAPI pattern too). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

export interface IdempotentRequest {
  tenantId: string;
  key: string;
  /** What the request asks: `fingerprintOf(method, path, body)`. */
  fingerprint: string;
}

export interface KeptResponse {
  status: number;
  body: unknown;
}

/** The same method, path and body (fields in any order) give the same fingerprint. */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return canonicalHash({ method: method.toUpperCase(), path, body: body ?? null });
}

/** A key as clients send it: bare (Stripe) or as a structured-field string (`"…"`, the IETF draft). */
export function parseIdempotencyKey(raw: string): string {
  const trimmed = raw.trim();
  const key = /^"(.+)"$/.exec(trimmed)?.[1] ?? trimmed;
  if (!IDEMPOTENCY_KEY_PATTERN.test(trimmed) || key.length > 255) throw invalid('invalid_idempotency_key', 'Idempotency-Key must be 1–255 printable ASCII characters, without leading or trailing spaces');
  return key;
}

/** Header and body field name the same key: both may be sent only when they agree. */
export function agreeOnKey(header: string | undefined, field: string | undefined): string | undefined {
  if (header !== undefined && field !== undefined && header !== field) {
    throw invalid('idempotency_key_mismatch', `the Idempotency-Key header ("${header}") and the body's idempotencyKey ("${field}") differ; send one, or the same in both`);
  }
  return header ?? field;
}

export interface Idempotency {
  /** Runs `run` once per key: later requests with the key get its response back (`replayed`). */
  run(req: IdempotentRequest, run: () => Promise<KeptResponse>): Promise<KeptResponse & { replayed: boolean }>;
}

export function createIdempotency(db: Db, retentionHours = IDEMPOTENCY_RETENTION_HOURS): Idempotency {
  let lastSweep = 0;
  const expiredBefore = () => new Date(Date.now() - retentionHours * 3_600_000);

  async function sweep(): Promise<void> {
    if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = Date.now();
    await deleteExpiredIdempotencyKeys(db, expiredBefore());
  }

  /** Claims the key, or says why not: the kept response, or an error for the client. */
  async function claim(req: IdempotentRequest): Promise<KeptResponse | null> {
    // Twice at most: a key released between our insert and our read is free again.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await claimIdempotencyKey(db, req.tenantId, req.key, req.fingerprint, new Date(Date.now() + IN_FLIGHT_LOCK_MS), expiredBefore())) return null;
      const row = await findIdempotencyKey(db, req.tenantId, req.key);
      if (!row) continue;
      if (row.fingerprint !== req.fingerprint) {
        throw unprocessable('idempotency_key_reused', `Idempotency-Key "${req.key}" was already used with a different request (another body, path or method); use a new key for a new request`);
      }
      if (row.response_status === null) {
        throw new DomainError('conflict', 'idempotency_key_in_flight', `a request with Idempotency-Key "${req.key}" is still being processed; retry shortly to get its response`, undefined, 1);
      }
      return { status: row.response_status, body: row.response_body };
    }
    throw conflict('idempotency_key_in_flight', `a request with Idempotency-Key "${req.key}" is changing state; retry shortly`);
  }

  return {
    async run(req, run) {
      void sweep().catch(() => {}); // best effort: a failed sweep only leaves old rows a while longer
      const kept = await claim(req);
      if (kept) return { ...kept, replayed: true };
      let response: KeptResponse;
      try {
        response = await run();
      } catch (err) {
        await releaseIdempotencyKey(db, req.tenantId, req.key);
        throw err;
      }
      await completeIdempotencyKey(db, req.tenantId, req.key, response.status, response.body);
      return { ...response, replayed: false };
    },
  };
}
