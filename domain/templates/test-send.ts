// A template's test send: one e-mail to one address, through the normal notification path,
// so a test proves the ledger, provider and rendering a real notification would use.
import { findTemplate } from '../../schema/queries/templates.js';
import { upsertUser } from '../../schema/queries/users.js';
import type { Actor } from '../actor.js';
import { notFound } from '../errors.js';
import { submitNotification, type SubmitDeps, type SubmitResult } from '../notifications/accept.js';
import type { VariableValidator } from './variables.js';

/** Test sends go to a recipient of this reserved id prefix, one per address. */
export const TEST_SEND_USER_PREFIX = 'test-send:';

export interface TestSend {
  email: string;
  data: Record<string, unknown>;
  locale?: string | undefined;
  timezone?: string | undefined;
  /** Default: the published version. */
  version?: number | undefined;
}

export async function sendTest(deps: SubmitDeps, variables: VariableValidator, actor: Actor, key: string, t: TestSend): Promise<SubmitResult> {
  if (!(await findTemplate(deps.db, actor.tenantId, key))) throw notFound('template');
  const email = t.email.toLowerCase();
  const userId = `${TEST_SEND_USER_PREFIX}${email}`;
  await upsertUser(deps.db, {
    tenant_id: actor.tenantId,
    id: userId,
    name: null,
    email,
    phone: null,
    locale: t.locale ?? null,
    timezone: t.timezone ?? null,
    identities: JSON.stringify({}),
    attributes: JSON.stringify({ testSend: true }),
  });
  return submitNotification(deps, actor, variables, {
    template: key,
    ...(t.version !== undefined ? { templateVersion: t.version } : {}),
    to: { userIds: [userId] },
    data: t.data,
    channels: ['email'],
    category: 'test',
  });
}
