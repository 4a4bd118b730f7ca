// What a template sees of the person it is rendered for: `{{recipient.name}}` beside the
// notification's `data`. Empty fields are left out rather than null, so a template's
// `recipientVariables` (a JSON Schema of this object) can `require` them.
import type { UserRow } from '../../schema/tables/users.js';
import type { VariableIssue, VariableValidator } from './variables.js';

export interface RecipientVariables {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
  locale?: string;
  timezone?: string;
  attributes: Record<string, unknown>;
}

type RecipientSource = Pick<UserRow, 'id' | 'name' | 'email' | 'phone' | 'locale' | 'timezone' | 'attributes'>;

export function recipientOf(u: RecipientSource): RecipientVariables {
  const r: RecipientVariables = { id: u.id, attributes: u.attributes ?? {} };
  if (u.name) r.name = u.name;
  if (u.email) r.email = u.email;
  if (u.phone) r.phone = u.phone;
  if (u.locale) r.locale = u.locale;
  if (u.timezone) r.timezone = u.timezone;
  return r;
}

/** Each way `recipient` falls short of the template's `recipientVariables`, named `recipient.<field>`. */
export function recipientIssues(validator: VariableValidator, schema: Record<string, unknown> | undefined, recipient: RecipientVariables): VariableIssue[] {
  return validator.validate(schema, recipient).map((i) => ({ variable: i.variable === '(data)' ? 'recipient' : `recipient.${i.variable}`, message: i.message }));
}
