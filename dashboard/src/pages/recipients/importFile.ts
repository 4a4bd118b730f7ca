// Turns an uploaded file into the JSON lines POST /v1/users/import takes: a CSV with a header
// row (id, name, email, phone, locale, timezone, groups, modules; lists separated by `;` or
// `|`), a JSON array of users, or JSON lines already. Validation is the server's: a bad row
// comes back in the import report by line number.
import Papa from 'papaparse';

const LIST_FIELDS = new Set(['groups', 'modules']);
const PROFILE_FIELDS = new Set(['id', 'name', 'email', 'phone', 'locale', 'timezone']);

function fromCsvRow(row: Record<string, string | undefined>): Record<string, unknown> {
  const user: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  for (const [rawKey, rawValue] of Object.entries(row)) {
    const key = rawKey.trim();
    const value = (rawValue ?? '').trim();
    if (!key || value === '') continue;
    if (PROFILE_FIELDS.has(key)) user[key] = value;
    else if (LIST_FIELDS.has(key)) user[key] = value.split(/[;|]/).map((s) => s.trim()).filter(Boolean);
    // Any other column is kept as an attribute (segments filter on them).
    else attributes[key] = value;
  }
  if (Object.keys(attributes).length > 0) user.attributes = attributes;
  return user;
}

/** One JSON text per user, in file order. */
export function usersOfFile(name: string, text: string): string[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  if (/\.csv$/i.test(name) || (!trimmed.startsWith('{') && !trimmed.startsWith('['))) {
    const parsed = Papa.parse<Record<string, string | undefined>>(trimmed, { header: true, skipEmptyLines: 'greedy' });
    return parsed.data.map((row) => JSON.stringify(fromCsvRow(row)));
  }
  if (trimmed.startsWith('[')) {
    const items: unknown = JSON.parse(trimmed);
    if (!Array.isArray(items)) throw new Error('expected a JSON array of users');
    return items.map((u) => JSON.stringify(u));
  }
  // JSON lines: sent as they are, so the report's line numbers match the file's.
  return trimmed.split(/\r?\n/);
}
