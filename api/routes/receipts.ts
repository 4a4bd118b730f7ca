// Delivery receipts pushed by providers. Public (providers do not hold Herald keys), so
// each request must carry the provider's own signature over what it sent.
import { z } from 'zod';
import { validateTwilioSignature } from '../../channels/twilio.js';
import type { TwilioConfig } from '../../channels/twilio.js';
import { applyOrHoldReceipt } from '../../schema/queries/receipts.js';
import { findProvidersById } from '../../schema/queries/providers.js';
import { apiTracker } from '../tracking.js';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { defineRoute, type RouteHost } from '../route.js';
import { ClientId } from '../schemas.js';

const TWILIO_FAILED = new Set(['failed', 'undelivered']);

export function receiptRoutes(host: RouteHost, deps: AppDeps): void {
  const tracker = apiTracker(deps);
  defineRoute(host, {
    method: 'post',
    path: '/v1/receipts/{providerId}',
    summary: "A provider's delivery callback (Twilio status callbacks, verified by X-Twilio-Signature)",
    tag: 'Providers',
    scope: null,
    params: z.object({ providerId: ClientId }),
    body: z.record(z.string(), z.union([z.string(), z.array(z.string())])).meta({ description: 'The provider’s form-encoded callback parameters.' }),
    errors: [403, 404],
    responses: { 204: { description: 'Applied, already applied, or held until the send it reports on is recorded' } },
    async handler({ req, res, params, body }) {
      const candidates = (await findProvidersById(deps.db, params.providerId)).filter((p) => p.kind === 'twilio');
      if (candidates.length === 0 || !deps.secretBox) throw new HttpError(404, 'not_found', 'no provider takes receipts at this address');
      // Provider ids are unique per tenant only: the signature tells whose callback this is.
      const url = `${deps.publicUrl}${req.originalUrl}`;
      const signature = req.get('x-twilio-signature');
      const owner = candidates.find((p) => {
        const config = JSON.parse(deps.secretBox?.open(p.config_sealed) ?? '{}') as TwilioConfig;
        return validateTwilioSignature(config.authToken, signature, url, body);
      });
      if (!owner) throw new HttpError(403, 'bad_signature', 'the receipt signature does not verify');
      const sid = typeof body.MessageSid === 'string' ? body.MessageSid : undefined;
      const status = typeof body.MessageStatus === 'string' ? body.MessageStatus : undefined;
      if (sid && status === 'delivered') {
        const row = await applyOrHoldReceipt(deps.db, owner.tenant_id, owner.id, sid, { status: 'delivered' });
        if (row) await tracker.deliveryChanged(row.id);
      } else if (sid && status && TWILIO_FAILED.has(status)) {
        const code = typeof body.ErrorCode === 'string' ? body.ErrorCode : undefined;
        const row = await applyOrHoldReceipt(deps.db, owner.tenant_id, owner.id, sid, { status: 'failed', reason: `Twilio reported ${status}${code ? ` (error ${code})` : ''}`, code });
        if (row) await tracker.deliveryChanged(row.id);
      }
      res.status(204).end();
    },
  });
}
