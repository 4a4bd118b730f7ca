// Every adapter declares its provider config as a zod schema, the one source of truth for
// what a tenant may put in `config`: `PUT /v1/providers/{id}` refuses anything else (422
// naming each problem), and OpenAPI, the SDK types, the dashboard's form and docs/providers.md
// are generated from the same schemas. Settings Herald adds at send time (the outbound
// allowlist, its resolvers) are not in them, so a tenant cannot name those.
import { z } from 'zod';

/** A provider config's schema: an object that refuses unknown keys. */
export type ConfigSchema = z.ZodObject;

/** One thing wrong with a config: `config.vapidSubject` + `required`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

const pathOf = (parts: readonly PropertyKey[]) => ['config', ...parts.map(String)].join('.');

/** What is wrong with a config, field by field; empty when it is valid. */
export function configProblems(schema: ConfigSchema, config: unknown): ConfigProblem[] {
  const parsed = schema.safeParse(config, { error: (issue) => (issue.input === undefined ? 'required' : undefined) });
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: pathOf([...i.path, k]), message: 'unknown field' })) : [{ path: pathOf(i.path), message: i.message }],
  );
}

/** The top-level keys a schema marks `writeOnly` (secrets): never returned by a read. */
export function secretFields(schema: ConfigSchema): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => {
      const f = field as z.ZodType;
      return (f.meta() ?? (f instanceof z.ZodOptional ? (f.unwrap() as z.ZodType).meta() : undefined))?.writeOnly === true;
    })
    .map(([key]) => key);
}

/** A secret: documented as write-only, masked in every read. */
export function secret<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description, writeOnly: true });
}

/** A URL Herald connects to; a tenant's is checked by the outbound guard at connect time. */
export function httpUrl(description: string) {
  return z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? 'required' : 'an http(s) URL') }).meta({ description });
}

/** A robot or incoming-webhook URL: it carries the robot's token, so a read shows only its scheme and host. */
export function webhookUrl(description: string) {
  return httpUrl(description).meta({ description: `${description} Reads show only its scheme and host.`, writeOnly: true });
}

export const timeoutMs = z.number().int().min(100).max(120_000).optional().meta({ description: 'How long one request may take, in milliseconds (default 15000).' });

/** A group robot's wait after the platform said it posts too fast, before the post is tried again. */
export const throttledRetryMs = (description: string) => z.number().int().min(100).max(3_600_000).optional().meta({ description });
