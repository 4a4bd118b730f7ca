// An identity provider pushes whatever its admins typed, and retries a refused user forever.
// So a locale or time zone Herald cannot use does not refuse the user: the value is not used
// (rendering and scheduling fall back to the tenant's defaults), and a warning on the user
// says why. The value itself stays as sent wherever the source's own record is kept.
import type { ProfileWarning } from '../../schema/tables/users.js';

export function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The canonical BCP 47 form of a tag, or null when it is none. */
function canonicalLocale(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0] ?? null;
  } catch {
    return null;
  }
}

export interface SentValue {
  /** The attribute as the source names it, for the warning. */
  field: string;
  value: string | null | undefined;
}

export interface UsableProfile {
  locale: string | null;
  timezone: string | null;
  warnings: ProfileWarning[];
}

/**
 * The first usable locale among `locales` (in order of preference) and the time zone when it
 * is an IANA name; every sent value that cannot be used gets a warning.
 */
export function usableProfile(locales: SentValue[], timezone: SentValue): UsableProfile {
  const warnings: ProfileWarning[] = [];
  let locale: string | null = null;
  for (const { field, value } of locales) {
    if (!value) continue;
    const canonical = canonicalLocale(value);
    if (canonical) locale ??= canonical;
    else warnings.push({ field, value, message: 'not a BCP 47 language tag; not used (the default locale applies)' });
  }
  const tz = timezone.value || null;
  if (tz && !isIanaTimeZone(tz)) warnings.push({ field: timezone.field, value: tz, message: "not an IANA time zone; not used (the tenant's time zone applies)" });
  return { locale, timezone: tz && isIanaTimeZone(tz) ? tz : null, warnings };
}
