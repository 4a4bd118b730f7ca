// One-time passcodes: Herald makes the code, sends it at high priority with an expiry
// through the notification pipeline, and checks it with an attempt limit. Codes are kept
// only as HMACs; the notification carries the code sealed, opened only to render it.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { newId } from '../../common/ids.js';
import { sealValue } from '../../domain/notifications/sealed-data.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { findOtp, insertOtpCode, markOtpVerified, retireOtherOtps, setOtpNotification, takeOtpAttempt } from '../../schema/queries/otp-codes.js';
import type { AppDeps } from '../deps.js';
import { HttpError, unprocessable } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId } from '../schemas.js';
import { submitNotification } from '../../domain/notifications/accept.js';
import type { VariableValidator } from '../../domain/templates/variables.js';

const OtpRequest = z
  .object({
    userId: ClientId,
    channel: ChannelName.default('sms'),
    template: ClientId.default('otp').meta({ description: 'A template using `{{code}}` (and optionally `{{minutes}}`).' }),
    purpose: z.string().min(1).max(64).regex(/^[a-z0-9_.-]+$/).default('login'),
    length: z.number().int().min(4).max(10).default(6),
    ttlSeconds: z.number().int().min(30).max(3600).default(300),
    maxAttempts: z.number().int().min(1).max(10).default(5),
  })
  .strict()
  .meta({ id: 'OtpRequest' });

const OtpCreated = z
  .object({ id: z.string(), notificationId: z.string(), channel: ChannelName, expiresAt: z.string(), maxAttempts: z.number().int() })
  .meta({ id: 'OtpCreated' });

const OtpVerifyRequest = z.object({ id: z.string().min(1).max(64), code: z.string().min(1).max(20) }).strict().meta({ id: 'OtpVerifyRequest' });
const OtpVerified = z.object({ verified: z.literal(true), userId: z.string(), purpose: z.string() }).meta({ id: 'OtpVerified' });

export function otpRoutes(host: RouteHost, deps: AppDeps, variables: VariableValidator): void {
  const hashCode = (otpId: string, code: string) => createHmac('sha256', deps.signingKey ?? DEV_SIGNING_KEY).update(`${otpId}:${code}`).digest();

  defineRoute(host, {
    method: 'post',
    path: '/v1/otp',
    summary: 'Generate a one-time passcode and send it at high priority; it expires and allows a few attempts',
    tag: 'OTP',
    scope: 'send',
    body: OtpRequest,
    errors: [422],
    responses: { 201: { description: 'Sent (the code itself is never returned)', schema: OtpCreated } },
    async handler({ res, body, auth }) {
      if (!deps.secretBox) throw new HttpError(422, 'secret_key_missing', 'set HERALD_SECRET_KEY so codes can travel sealed');
      const id = newId('otp');
      const code = String(randomInt(0, 10 ** body.length)).padStart(body.length, '0');
      const expiresAt = new Date(Date.now() + body.ttlSeconds * 1000);
      await insertOtpCode(deps.db, {
        id,
        tenant_id: auth.tenantId,
        user_id: body.userId,
        purpose: body.purpose,
        code_hash: hashCode(id, code).toString('hex'),
        max_attempts: body.maxAttempts,
        expires_at: expiresAt,
      });
      const minutes = Math.ceil(body.ttlSeconds / 60);
      const { row } = await submitNotification(
        deps,
        auth,
        variables,
        { template: body.template, to: { userIds: [body.userId] }, data: { code, minutes }, priority: 'high', channels: [body.channel], category: 'security', expiresAt: expiresAt.toISOString() },
        { storedData: { code: sealValue(deps.secretBox, code), minutes } },
      );
      await setOtpNotification(deps.db, id, row.id);
      await retireOtherOtps(deps.db, auth.tenantId, body.userId, body.purpose, id);
      res.status(201).json({ id, notificationId: row.id, channel: body.channel, expiresAt: expiresAt.toISOString(), maxAttempts: body.maxAttempts });
    },
  });

  defineRoute(host, {
    method: 'post',
    path: '/v1/otp/verify',
    summary: 'Check a code: each call uses one attempt; a verified code cannot be used again',
    tag: 'OTP',
    scope: 'send',
    body: OtpVerifyRequest,
    errors: [404, 422],
    responses: { 200: { description: 'The code is right', schema: OtpVerified } },
    async handler({ res, body, auth }) {
      const attempt = await takeOtpAttempt(deps.db, auth.tenantId, body.id);
      if (!attempt) {
        const otp = await findOtp(deps.db, auth.tenantId, body.id);
        if (!otp) throw new HttpError(404, 'not_found', 'no such code');
        if (otp.verified_at) throw unprocessable('otp_used', 'this code was already used');
        if (otp.expires_at <= new Date()) throw unprocessable('otp_expired', 'this code has expired; request a new one');
        throw new HttpError(429, 'otp_locked', 'too many wrong attempts; request a new code', undefined, { 'Retry-After': '60' });
      }
      const expected = Buffer.from(attempt.code_hash, 'hex');
      const given = hashCode(attempt.id, body.code.trim());
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        const left = attempt.max_attempts - attempt.attempts;
        throw unprocessable('otp_invalid', `wrong code; ${left} attempt(s) left`, [{ attemptsLeft: left }]);
      }
      if (!(await markOtpVerified(deps.db, attempt.id))) throw unprocessable('otp_used', 'this code was already used');
      await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'otp.verify', targetType: 'user', targetId: attempt.user_id, details: { purpose: attempt.purpose } });
      res.json({ verified: true, userId: attempt.user_id, purpose: attempt.purpose });
    },
  });
}
