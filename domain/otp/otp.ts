// One-time passcodes: Herald makes the code, sends it at high priority with an expiry
// through the notification pipeline, and checks it with an attempt limit. Codes are kept
// only as HMACs; the notification carries the code sealed, opened only to render it.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Channel } from '../../channels/types.js';
import { newId } from '../../common/ids.js';
import type { SecretBox } from '../../common/secret-box.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { findOtp, insertOtpCode, markOtpVerified, retireOtherOtps, setOtpNotification, takeOtpAttempt } from '../../schema/queries/otp-codes.js';
import type { Actor } from '../actor.js';
import { DomainError, unprocessable } from '../errors.js';
import { submitNotification, type SubmitDeps } from '../notifications/accept.js';
import { sealValue } from '../notifications/sealed-data.js';
import type { VariableValidator } from '../templates/variables.js';

export interface OtpDeps extends SubmitDeps {
  /** HMAC key of stored codes. */
  signingKey: string;
  secretBox?: SecretBox | undefined;
}

export interface OtpRequest {
  userId: string;
  channel: Channel;
  /** A template using `{{code}}` (and optionally `{{minutes}}`). */
  template: string;
  purpose: string;
  length: number;
  ttlSeconds: number;
  maxAttempts: number;
}

export interface OtpIssued {
  id: string;
  notificationId: string;
  expiresAt: Date;
}

const hashCode = (key: string, otpId: string, code: string) => createHmac('sha256', key).update(`${otpId}:${code}`).digest();

/** Makes a code, sends it, and retires the user's earlier codes for the same purpose. */
export async function issueOtp(deps: OtpDeps, variables: VariableValidator, actor: Actor, req: OtpRequest): Promise<OtpIssued> {
  if (!deps.secretBox) throw unprocessable('secret_key_missing', 'set HERALD_SECRET_KEY so codes can travel sealed');
  const id = newId('otp');
  const code = String(randomInt(0, 10 ** req.length)).padStart(req.length, '0');
  const expiresAt = new Date(Date.now() + req.ttlSeconds * 1000);
  await insertOtpCode(deps.db, {
    id,
    tenant_id: actor.tenantId,
    user_id: req.userId,
    purpose: req.purpose,
    code_hash: hashCode(deps.signingKey, id, code).toString('hex'),
    max_attempts: req.maxAttempts,
    expires_at: expiresAt,
  });
  const minutes = Math.ceil(req.ttlSeconds / 60);
  const { row } = await submitNotification(
    deps,
    actor,
    variables,
    { template: req.template, to: { userIds: [req.userId] }, data: { code, minutes }, priority: 'high', channels: [req.channel], category: 'security', expiresAt: expiresAt.toISOString() },
    { storedData: { code: sealValue(deps.secretBox, code), minutes } },
  );
  await setOtpNotification(deps.db, id, row.id);
  await retireOtherOtps(deps.db, actor.tenantId, req.userId, req.purpose, id);
  return { id, notificationId: row.id, expiresAt };
}

/** Checks a code, using one attempt; a verified code cannot be used again. */
export async function verifyOtp(deps: Pick<OtpDeps, 'db' | 'signingKey'>, actor: Actor, id: string, code: string): Promise<{ userId: string; purpose: string }> {
  const attempt = await takeOtpAttempt(deps.db, actor.tenantId, id);
  if (!attempt) {
    const otp = await findOtp(deps.db, actor.tenantId, id);
    if (!otp) throw new DomainError('not_found', 'not_found', 'no such code');
    if (otp.verified_at) throw unprocessable('otp_used', 'this code was already used');
    if (otp.expires_at <= new Date()) throw unprocessable('otp_expired', 'this code has expired; request a new one');
    throw new DomainError('rate_limited', 'otp_locked', 'too many wrong attempts; request a new code', undefined, 60);
  }
  const expected = Buffer.from(attempt.code_hash, 'hex');
  const given = hashCode(deps.signingKey, attempt.id, code.trim());
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    const left = attempt.max_attempts - attempt.attempts;
    throw unprocessable('otp_invalid', `wrong code; ${left} attempt(s) left`, [{ attemptsLeft: left }]);
  }
  if (!(await markOtpVerified(deps.db, attempt.id))) throw unprocessable('otp_used', 'this code was already used');
  await appendAudit(deps.db, { tenantId: actor.tenantId, actor: actor.keyId, action: 'otp.verify', targetType: 'user', targetId: attempt.user_id, details: { purpose: attempt.purpose } });
  return { userId: attempt.user_id, purpose: attempt.purpose };
}
