// One-time passcodes (domain/otp/otp.ts): issue a code through the notification pipeline, check it.
import { z } from 'zod';
import { DEV_SIGNING_KEY } from '../../common/config.js';
import { issueOtp, verifyOtp, type OtpRequest as DomainOtpRequest } from '../../domain/otp/otp.js';
import type { AppDeps } from '../deps.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ChannelName, ClientId } from '../schemas.js';
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
  .meta({ id: 'OtpRequest' }) satisfies z.ZodType<DomainOtpRequest>;

const OtpCreated = z
  .object({ id: z.string(), notificationId: z.string(), channel: ChannelName, expiresAt: z.string(), maxAttempts: z.number().int() })
  .meta({ id: 'OtpCreated' });

const OtpVerifyRequest = z.object({ id: z.string().min(1).max(64), code: z.string().min(1).max(20) }).strict().meta({ id: 'OtpVerifyRequest' });
const OtpVerified = z.object({ verified: z.literal(true), userId: z.string(), purpose: z.string() }).meta({ id: 'OtpVerified' });

export function otpRoutes(host: RouteHost, deps: AppDeps, variables: VariableValidator): void {
  const otpDeps = { ...deps, signingKey: deps.signingKey ?? DEV_SIGNING_KEY };

  defineRoute(host, {
    method: 'post',
    path: '/v1/otp',
    summary: 'Generate a one-time passcode and send it at high priority; it expires and allows a few attempts',
    tag: 'OTP',
    scope: 'send',
    body: OtpRequest,
    errors: [422],
    idempotency: {},
    responses: { 201: { description: 'Sent (the code itself is never returned)', schema: OtpCreated } },
    async handler({ res, body, auth }) {
      const { id, notificationId, expiresAt } = await issueOtp(otpDeps, variables, auth, body);
      res.status(201).json({ id, notificationId, channel: body.channel, expiresAt: expiresAt.toISOString(), maxAttempts: body.maxAttempts });
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
      const { userId, purpose } = await verifyOtp(otpDeps, auth, body.id, body.code);
      res.json({ verified: true, userId, purpose });
    },
  });
}
