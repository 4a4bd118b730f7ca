// SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON: the result is then validated
// and stored exactly like a PUT, so PATCH and PUT cannot disagree about what a field means.
import { keyOf, matches, parsePatchPath, ScimFilterError, type PatchPath } from '../../domain/directory/scim-filter.js';
import { ScimError } from './errors.js';

export interface PatchOperation {
  op: string;
  path?: string | undefined;
  value?: unknown;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Multi-valued elements are the same when their `value` is (members, emails): adding one twice keeps one. */
function sameElement(a: unknown, b: unknown): boolean {
  if (isObj(a) && isObj(b) && a[keyOf(a, 'value')] !== undefined) return String(a[keyOf(a, 'value')]) === String(b[keyOf(b, 'value')]);
  return JSON.stringify(a) === JSON.stringify(b);
}

function addTo(target: Obj, attr: string, value: unknown): void {
  const k = keyOf(target, attr);
  const current = target[k];
  if (Array.isArray(current) || (current === undefined && Array.isArray(value))) {
    const list = Array.isArray(current) ? [...current] : [];
    for (const v of Array.isArray(value) ? value : [value]) if (!list.some((x) => sameElement(x, v))) list.push(v);
    target[k] = list;
  } else if (isObj(current) && isObj(value)) {
    target[k] = { ...current, ...value };
  } else {
    target[k] = value;
  }
}

/** The object a path's attribute lives on: the resource, or an extension's object (`urn:…:User:manager`). */
function container(resource: Obj, attr: string, create: boolean): { obj: Obj | undefined; name: string } {
  const colon = attr.lastIndexOf(':');
  if (colon < 0) return { obj: resource, name: attr };
  const urn = attr.slice(0, colon);
  const k = keyOf(resource, urn);
  if (!isObj(resource[k]) && create) resource[k] = {};
  return { obj: isObj(resource[k]) ? (resource[k] as Obj) : undefined, name: attr.slice(colon + 1) };
}

function applyWithFilter(resource: Obj, op: string, path: PatchPath, value: unknown): void {
  const filter = path.filter;
  if (!filter) return;
  const { obj } = container(resource, path.attr, op !== 'remove');
  const name = path.attr.slice(path.attr.lastIndexOf(':') + 1);
  const list = obj ? obj[keyOf(obj, name)] : undefined;
  const elements = Array.isArray(list) ? (list as unknown[]) : [];
  const hits = elements.filter((e) => matches(e, filter));
  if (op === 'remove') {
    if (path.sub) {
      for (const h of hits) if (isObj(h)) delete h[keyOf(h, path.sub)];
    } else if (obj) {
      obj[keyOf(obj, name)] = elements.filter((e) => !hits.includes(e));
    }
    return;
  }
  if (hits.length === 0) {
    // Entra ID replaces `emails[type eq "work"].value` on users that have no work email yet:
    // a simple equality filter names the element to create.
    if (filter.type === 'compare' && filter.op === 'eq' && obj) {
      const created: Obj = { [filter.attr]: filter.value };
      if (path.sub) created[path.sub] = value;
      else if (isObj(value)) Object.assign(created, value);
      obj[keyOf(obj, name)] = [...elements, created];
      return;
    }
    throw new ScimError(400, 'noTarget', `no value of ${name} matches the path's filter`);
  }
  for (const h of hits) {
    if (!isObj(h)) continue;
    if (path.sub) h[keyOf(h, path.sub)] = value;
    else if (isObj(value)) Object.assign(h, value);
  }
}

/** Returns the patched copy of `resource`; throws ScimError for operations it cannot apply. */
export function applyPatch(resource: Obj, operations: readonly PatchOperation[]): Obj {
  const out = structuredClone(resource);
  for (const operation of operations) {
    const op = operation.op.toLowerCase();
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw new ScimError(400, 'invalidSyntax', `unknown PATCH op "${operation.op}"`);
    if (!operation.path) {
      if (op === 'remove') throw new ScimError(400, 'noTarget', 'a remove operation needs a path');
      if (!isObj(operation.value)) throw new ScimError(400, 'invalidValue', `an ${op} without a path takes an object value`);
      for (const [attr, v] of Object.entries(operation.value)) {
        // Okta and Entra put dotted paths as keys ({"name.givenName": "Barbara"}).
        const [head, sub] = attr.split('.');
        if (head && sub && !attr.includes(':')) {
          const k = keyOf(out, head);
          out[k] = { ...(isObj(out[k]) ? (out[k] as Obj) : {}), [sub]: v };
        } else if (op === 'add') {
          addTo(out, attr, v);
        } else {
          out[keyOf(out, attr)] = v;
        }
      }
      continue;
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(operation.path);
    } catch (err) {
      if (err instanceof ScimFilterError) throw new ScimError(400, 'invalidPath', err.message);
      throw err;
    }
    if (path.filter) {
      applyWithFilter(out, op, path, operation.value);
      continue;
    }
    const { obj, name } = container(out, path.attr, op !== 'remove');
    if (!obj) continue;
    const k = keyOf(obj, name);
    if (path.sub) {
      const parent = isObj(obj[k]) ? (obj[k] as Obj) : {};
      if (op === 'remove') delete parent[keyOf(parent, path.sub)];
      else parent[keyOf(parent, path.sub)] = operation.value;
      obj[k] = parent;
    } else if (op === 'remove') {
      // Entra removes members by value in the body instead of a filter in the path.
      if (Array.isArray(obj[k]) && Array.isArray(operation.value)) {
        const gone = operation.value;
        obj[k] = (obj[k] as unknown[]).filter((e) => !gone.some((g) => sameElement(e, g)));
      } else {
        delete obj[k];
      }
    } else if (op === 'add') {
      addTo(obj, name, operation.value);
    } else {
      obj[k] = operation.value;
    }
  }
  return out;
}
