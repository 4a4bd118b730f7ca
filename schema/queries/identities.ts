import type { DbOrTx } from '../database.js';

/**
 * Forgets push targets a provider reported gone (a 404/410 web-push subscription, an
 * unregistered FCM/APNs/Huawei token or JPush/Xiaomi registration id), so no later send tries them again. Done in one statement
 * on the jsonb so a concurrent profile update is not overwritten.
 */
export async function forgetPushTargets(
  db: DbOrTx,
  tenantId: string,
  userId: string,
  gone: { webpushEndpoints: string[]; tokens: string[] },
): Promise<void> {
  if (gone.webpushEndpoints.length === 0 && gone.tokens.length === 0) return;
  const row = await db.selectFrom('users').select('identities').where('tenant_id', '=', tenantId).where('id', '=', userId).forUpdate().executeTakeFirst();
  if (!row) return;
  const ids = { ...(row.identities as Record<string, unknown>) };
  const endpoints = new Set(gone.webpushEndpoints);
  const tokens = new Set(gone.tokens);
  if (Array.isArray(ids.webpush)) ids.webpush = ids.webpush.filter((s: { endpoint?: string }) => !endpoints.has(s?.endpoint ?? ''));
  for (const k of ['fcm', 'apns', 'jpush', 'huawei', 'xiaomi']) {
    const list = ids[k];
    if (Array.isArray(list)) ids[k] = list.filter((t: unknown) => !tokens.has(String(t)));
  }
  await db.updateTable('users').set({ identities: JSON.stringify(ids), updated_at: new Date() }).where('tenant_id', '=', tenantId).where('id', '=', userId).execute();
}

export async function outboundAllowlist(db: DbOrTx, tenantId: string): Promise<string[]> {
  const row = await db.selectFrom('tenants').select('outbound_allowlist').where('id', '=', tenantId).executeTakeFirst();
  return row?.outbound_allowlist ?? [];
}
