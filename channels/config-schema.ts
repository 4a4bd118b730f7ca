// Adapters that declare their config as a schema let `PUT /v1/providers/{id}` refuse a
// config they could never send with (422 with the problems), instead of failing each send.
import type { z } from 'zod';

/** The problems of a config, as `field: message` lines; empty when it is valid. */
export function configProblems(schema: z.ZodType, config: unknown): string[] {
  const parsed = schema.safeParse(config);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'config'}: ${i.message}`);
}
