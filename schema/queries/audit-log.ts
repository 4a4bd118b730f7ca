import type { DbOrTx } from '../database.js';
import type { AuditLogRow } from '../tables/audit-log.js';

export interface AuditEntry {
  tenantId: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

export function auditValues(e: AuditEntry) {
  return {
    tenant_id: e.tenantId,
    actor: e.actor,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    details: JSON.stringify(e.details ?? {}),
  };
}

export async function appendAudit(db: DbOrTx, e: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values(auditValues(e)).execute();
}

export async function listAudit(db: DbOrTx, tenantId: string, page: { limit: number; before?: string | undefined }): Promise<AuditLogRow[]> {
  let q = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(page.limit);
  if (page.before) q = q.where('id', '<', page.before);
  return q.execute();
}
