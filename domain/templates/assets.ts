// Tenant-wide pieces templates refer to by key: email layouts and partials. Text that does
// not compile is refused when it is saved, not when a template using it is sent.
import type { DbOrTx } from '../../schema/database.js';
import { upsertTemplateAsset } from '../../schema/queries/template-assets.js';
import type { TemplateAssetRow } from '../../schema/tables/template-assets.js';
import type { Actor } from '../actor.js';
import { unprocessable } from '../errors.js';
import type { Renderer } from './render.js';

export type AssetKind = 'layout' | 'partial';

/** Creates or replaces a layout or partial; `where` names the field in errors. */
export async function saveAsset(
  db: DbOrTx,
  renderer: Renderer,
  actor: Actor,
  a: { kind: AssetKind; key: string; source: string; where: string },
): Promise<{ row: TemplateAssetRow; created: boolean }> {
  try {
    renderer.check(a.source, a.where);
  } catch (err) {
    throw unprocessable('template_syntax', (err as Error).message, [{ field: a.where, message: (err as Error).message }]);
  }
  return upsertTemplateAsset(db, { tenant_id: actor.tenantId, kind: a.kind, key: a.key, source: a.source });
}
