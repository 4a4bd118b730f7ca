// The event types an endpoint can subscribe to, read from the server's /openapi.json
// (`WebhookEventType`, the same zod enum the server validates with), so a type the server
// adds shows up as a checkbox without a dashboard change.
import type { WebhookEventType } from '../../api/types';

interface OpenApiDocument {
  components?: { schemas?: Record<string, { enum?: unknown[] }> };
}

export function webhookEventTypes(doc: unknown): WebhookEventType[] {
  const values = (doc as OpenApiDocument | null)?.components?.schemas?.WebhookEventType?.enum ?? [];
  return values.filter((v): v is WebhookEventType => typeof v === 'string');
}

/** `delivery.sent` → `delivery`: checkboxes are grouped by the part before the dot. */
export function eventGroups(types: readonly WebhookEventType[]): [string, WebhookEventType[]][] {
  const groups = new Map<string, WebhookEventType[]>();
  for (const t of types) {
    const group = t.split('.')[0] ?? t;
    groups.set(group, [...(groups.get(group) ?? []), t]);
  }
  return [...groups];
}
