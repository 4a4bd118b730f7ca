// A template's `variables` is a JSON Schema of a notification's `data`, checked with ajv at
// preview, at publish (against exampleData) and at submit. Compiled validators are cached
// per validator instance (one per router), keyed by the schema's JSON.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** One problem with one variable, in API error `details`. */
export interface VariableIssue {
  variable: string;
  message: string;
}

export interface VariableValidator {
  /** Throws (with ajv's reason) when `schema` is not a usable JSON Schema. */
  check(schema: Record<string, unknown>): void;
  /** Every problem of `data` against `schema`, one per variable; empty when valid. */
  validate(schema: Record<string, unknown> | undefined, data: unknown): VariableIssue[];
}

// ajv-formats is CommonJS with its function on `.default`.
const addFormats = addFormatsModule.default;

/** `/order/items/0` + missing `sku` → `order.items.0.sku`: the name a template author wrote. */
function variableOf(e: ErrorObject): string {
  const path = e.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  if (e.keyword === 'required' && params.missingProperty) path.push(params.missingProperty);
  if (e.keyword === 'additionalProperties' && params.additionalProperty) path.push(params.additionalProperty);
  return path.join('.') || '(data)';
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'additionalProperties') return 'is not a declared variable';
  return e.message ?? 'is invalid';
}

export function createVariableValidator(maxCached = 500): VariableValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const cache = new Map<string, { schema: Record<string, unknown>; fn: ValidateFunction }>();

  function compiled(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let entry = cache.get(key);
    if (!entry) {
      entry = { schema, fn: ajv.compile(schema) };
      if (cache.size >= maxCached) {
        const [oldKey, old] = cache.entries().next().value as [string, { schema: Record<string, unknown> }];
        cache.delete(oldKey);
        // ajv keeps its own cache keyed by schema object; drop the evicted one there too.
        ajv.removeSchema(old.schema);
      }
      cache.set(key, entry);
    }
    return entry.fn;
  }

  return {
    check(schema) {
      compiled(schema);
    },
    validate(schema, data) {
      if (!schema) return [];
      const fn = compiled(schema);
      if (fn(data)) return [];
      const seen = new Set<string>();
      const issues: VariableIssue[] = [];
      for (const e of fn.errors ?? []) {
        const issue = { variable: variableOf(e), message: messageOf(e) };
        const id = `${issue.variable}\u0000${issue.message}`;
        if (!seen.has(id)) {
          seen.add(id);
          issues.push(issue);
        }
      }
      return issues;
    },
  };
}
