// The tenant's LDAP / Active Directory connection: configured with a bind secret that is
// sealed at rest, synced on demand (one sync at a time) or on a Temporal Schedule.
import { X509Certificate } from 'node:crypto';
import { ulid } from 'ulid';
import type { SecretBox } from '../../common/secret-box.js';
import type { Db, DbOrTx } from '../../schema/database.js';
import { appendAudit } from '../../schema/queries/audit-log.js';
import { deleteDirectoryConfig, findDirectoryConfig, findRunningSync, upsertDirectoryConfig } from '../../schema/queries/directory.js';
import type { DirectoryConfigRow, DirectorySchedule, DirectorySettings, DirectoryTlsMode } from '../../schema/tables/directory.js';
import type { Actor } from '../actor.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import type { Runs } from '../runs/runs.js';

export interface DirectoryConfigRequest extends Omit<DirectorySettings, 'tlsMode' | 'caCertificate' | 'groupSearch'> {
  url: string;
  bindDn: string;
  /** Required the first time; left out, the stored one is kept. */
  bindSecret?: string | undefined;
  tlsMode?: DirectoryTlsMode | undefined;
  caCertificate: string | null;
  groupSearch: boolean;
  /** When to sync; null: on demand only. */
  schedule: { cron?: string | undefined; everySeconds?: number | undefined; timezone: string; paused: boolean } | null;
}

export interface DirectoryDeps {
  db: Db;
  secretBox?: SecretBox | undefined;
  runs: Pick<Runs, 'replaceDirectorySyncSchedule' | 'startDirectorySync'>;
}

export const defaultTlsMode = (url: string): DirectoryTlsMode => (url.startsWith('ldaps://') ? 'ldaps' : 'none');

/** Every PEM block must parse as an X.509 CA certificate, or the sync would fail much later with a vaguer TLS error. */
function checkCaCertificate(pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw unprocessable('invalid_ca_certificate', 'caCertificate must hold PEM certificates (-----BEGIN CERTIFICATE-----)');
  for (const [i, block] of blocks.entries()) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (err) {
      throw unprocessable('invalid_ca_certificate', `certificate ${i + 1} of caCertificate does not parse: ${(err as Error).message}`);
    }
    if (!cert.ca) throw unprocessable('invalid_ca_certificate', `certificate ${i + 1} of caCertificate (${cert.subject.replace(/\n/g, ', ')}) is not a CA certificate`);
  }
}

export async function loadDirectoryConfig(db: DbOrTx, tenantId: string): Promise<DirectoryConfigRow> {
  const row = await findDirectoryConfig(db, tenantId);
  if (!row) throw notFound('directory configuration');
  return row;
}

/** Stores the configuration and puts its sync schedule in place. */
export async function configureDirectory(deps: DirectoryDeps, auth: Actor, body: DirectoryConfigRequest): Promise<DirectoryConfigRow> {
  const { runs } = deps;
  if (!deps.secretBox) throw unprocessable('secret_key_missing', 'set HERALD_SECRET_KEY so the bind secret can be sealed at rest');
  const current = await findDirectoryConfig(deps.db, auth.tenantId);
  if (!body.bindSecret && !current) throw unprocessable('bind_secret_required', 'bindSecret is required when the directory is first configured');
  if (body.caCertificate !== null) checkCaCertificate(body.caCertificate);
  const settings: DirectorySettings = {
    baseDn: body.baseDn,
    userBaseDn: body.userBaseDn,
    groupBaseDn: body.groupBaseDn,
    userFilter: body.userFilter,
    groupFilter: body.groupFilter,
    attributes: body.attributes,
    pageSize: body.pageSize,
    tlsRejectUnauthorized: body.tlsRejectUnauthorized,
    tlsMode: body.tlsMode ?? defaultTlsMode(body.url),
    caCertificate: body.caCertificate,
    groupSearch: body.groupSearch,
  };
  const schedule: DirectorySchedule | null = body.schedule
    ? { cron: body.schedule.cron ?? null, everySeconds: body.schedule.everySeconds ?? null, timezone: body.schedule.timezone, paused: body.schedule.paused }
    : null;
  const row = await upsertDirectoryConfig(deps.db, {
    tenantId: auth.tenantId,
    url: body.url,
    bindDn: body.bindDn,
    bindSecretSealed: body.bindSecret ? deps.secretBox.seal(body.bindSecret) : (current?.bind_secret_sealed ?? ''),
    settings,
    schedule,
  });
  await runs.replaceDirectorySyncSchedule(auth.tenantId, schedule);
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'directory.configure', targetType: 'directory', targetId: 'ldap' });
  return row;
}

/** Removes the configuration and its schedule; synced users and groups stay, still read-only. */
export async function removeDirectory(deps: DirectoryDeps, auth: Actor): Promise<void> {
  const { runs } = deps;
  if (!(await deleteDirectoryConfig(deps.db, auth.tenantId))) throw notFound('directory configuration');
  await runs.replaceDirectorySyncSchedule(auth.tenantId, null);
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'directory.remove', targetType: 'directory', targetId: 'ldap' });
}

/** Starts a sync now, unless one is running; returns its id and its run's workflow id. */
export async function startDirectorySyncNow(deps: DirectoryDeps, auth: Actor): Promise<{ syncId: string; workflowId: string }> {
  const { runs } = deps;
  await loadDirectoryConfig(deps.db, auth.tenantId);
  const running = await findRunningSync(deps.db, auth.tenantId);
  if (running) throw conflict('sync_in_progress', `sync ${running.id} is still running`);
  const syncId = `dsy_${ulid().toLowerCase()}`;
  const workflowId = await runs.startDirectorySync(auth.tenantId, syncId);
  await appendAudit(deps.db, { tenantId: auth.tenantId, actor: auth.keyId, action: 'directory.sync', targetType: 'directory_sync', targetId: syncId });
  return { syncId, workflowId };
}
