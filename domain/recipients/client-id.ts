// Ids that clients choose (users, templates, groups…): URL-safe and bounded. The API's
// ClientId schema and the rules that pick an id for a client share this one definition.

export const CLIENT_ID_MAX = 128;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

export function isClientId(s: string): boolean {
  return s.length >= 1 && s.length <= CLIENT_ID_MAX && CLIENT_ID_PATTERN.test(s);
}
