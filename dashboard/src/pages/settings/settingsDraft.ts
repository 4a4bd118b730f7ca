// The settings form's state as the inputs hold it (text), and the PATCH /v1/tenant body it
// makes: only the fields that differ from what the server sent. The server checks every value
// again and names the field it refuses, so nothing here repeats its limits.
import type { InlineRecipientMode, TenantPatch, TenantSettings } from '../../api/types';

export interface SettingsDraft {
  name: string;
  timezone: string;
  bulkThreshold: string;
  /** Empty: no quota. */
  dailyQuota: string;
  /** Both empty: no send window. */
  sendWindowStart: string;
  sendWindowEnd: string;
  approvalTimeoutSeconds: string;
  dedupWindowSeconds: string;
  /** One CIDR a line. */
  outboundAllowlist: string;
  tracking: boolean;
  maxAttachmentBytes: string;
  retentionDays: string;
  inlineRecipients: InlineRecipientMode;
  ephemeralRecipientSeconds: string;
}

export function draftOf(t: TenantSettings): SettingsDraft {
  return {
    name: t.name,
    timezone: t.timezone,
    bulkThreshold: String(t.bulkThreshold),
    dailyQuota: t.dailyQuota === null ? '' : String(t.dailyQuota),
    sendWindowStart: t.sendWindow?.start ?? '',
    sendWindowEnd: t.sendWindow?.end ?? '',
    approvalTimeoutSeconds: String(t.approvalTimeoutSeconds),
    dedupWindowSeconds: String(t.dedupWindowSeconds),
    outboundAllowlist: t.outboundAllowlist.join('\n'),
    tracking: t.tracking,
    maxAttachmentBytes: String(t.maxAttachmentBytes),
    retentionDays: String(t.retentionDays),
    inlineRecipients: t.inlineRecipients,
    ephemeralRecipientSeconds: String(t.ephemeralRecipientSeconds),
  };
}

/** A number field as typed; text that is not a number goes as it is, for the server to name. */
function num(text: string): number {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : (trimmed as unknown as number);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Every field the draft sets, as the API takes it. */
function fullPatch(d: SettingsDraft): Required<TenantPatch> {
  const start = d.sendWindowStart.trim();
  const end = d.sendWindowEnd.trim();
  return {
    name: d.name.trim(),
    timezone: d.timezone.trim(),
    bulkThreshold: num(d.bulkThreshold),
    dailyQuota: d.dailyQuota.trim() === '' ? null : num(d.dailyQuota),
    sendWindow: start === '' && end === '' ? null : { start, end },
    approvalTimeoutSeconds: num(d.approvalTimeoutSeconds),
    dedupWindowSeconds: num(d.dedupWindowSeconds),
    outboundAllowlist: lines(d.outboundAllowlist),
    tracking: d.tracking,
    maxAttachmentBytes: num(d.maxAttachmentBytes),
    retentionDays: num(d.retentionDays),
    inlineRecipients: d.inlineRecipients,
    ephemeralRecipientSeconds: num(d.ephemeralRecipientSeconds),
  };
}

/** Equal values, whatever order an object's keys come in (the server's JSON column sorts them). */
function same(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q))) : x));
  return canonical(a) === canonical(b);
}

/** The PATCH body: the draft's fields whose value differs from the tenant's; empty when none. */
export function changedFields(t: TenantSettings, d: SettingsDraft): TenantPatch {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fullPatch(d))) {
    if (!same(value, t[field as keyof TenantPatch])) patch[field] = value;
  }
  return patch as TenantPatch;
}
