// SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): one parser, two consumers —
// list queries compile the tree to SQL (schema/queries/scim.ts), PATCH evaluates value
// filters like `members[value eq "2819c223"]` on the resource in memory. Pure: no I/O.
import type { CompareOp, FilterValue, ScimFilter } from '../../schema/queries/scim-filter-tree.js';

export class ScimFilterError extends Error {
  override name = 'ScimFilterError';
}

const COMPARE_OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const CORE_SCHEMA = /^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/i;

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'punct'; text: '(' | ')' | '[' | ']' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '"') {
      // A JSON string literal (RFC 7644 compValue), escapes included.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw new ScimFilterError('unterminated string in filter');
      try {
        tokens.push({ kind: 'string', text: JSON.parse(input.slice(i, j + 1)) as string });
      } catch {
        throw new ScimFilterError('invalid string literal in filter');
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !/[\s()[\]"]/.test(input[j] ?? '')) j++;
      tokens.push({ kind: 'word', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** `urn:…:core:2.0:User:userName` → `userName`; extension URNs stay (their attributes live under them). */
export function normalizeAttrPath(path: string): string {
  return path.replace(CORE_SCHEMA, '');
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): ScimFilter {
    const f = this.parseOr();
    if (this.i < this.tokens.length) throw new ScimFilterError(`unexpected "${this.tokens[this.i]?.text}" in filter`);
    return f;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.i];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  }

  private expectPunct(p: string): void {
    const t = this.tokens[this.i];
    if (t?.kind !== 'punct' || t.text !== p) throw new ScimFilterError(`expected "${p}" in filter`);
    this.i++;
  }

  private parseOr(): ScimFilter {
    let left = this.parseAnd();
    while (this.peekWord() === 'or') {
      this.i++;
      left = { type: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): ScimFilter {
    let left = this.parseUnary();
    while (this.peekWord() === 'and') {
      this.i++;
      left = { type: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): ScimFilter {
    const t = this.tokens[this.i];
    if (!t) throw new ScimFilterError('filter ends too early');
    if (t.kind === 'word' && t.text.toLowerCase() === 'not') {
      this.i++;
      this.expectPunct('(');
      const filter = this.parseOr();
      this.expectPunct(')');
      return { type: 'not', filter };
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.i++;
      const f = this.parseOr();
      this.expectPunct(')');
      return f;
    }
    if (t.kind !== 'word') throw new ScimFilterError(`expected an attribute, found "${t.text}"`);
    this.i++;
    const attr = normalizeAttrPath(t.text);
    const next = this.tokens[this.i];
    if (next?.kind === 'punct' && next.text === '[') {
      this.i++;
      const filter = this.parseOr();
      this.expectPunct(']');
      return { type: 'valuePath', attr, filter };
    }
    const op = this.peekWord();
    if (op === 'pr') {
      this.i++;
      return { type: 'present', attr };
    }
    if (!op || !COMPARE_OPS.has(op)) throw new ScimFilterError(`expected an operator after "${t.text}"`);
    this.i++;
    const v = this.tokens[this.i];
    if (!v || v.kind === 'punct') throw new ScimFilterError(`expected a value after "${op}"`);
    this.i++;
    let value: FilterValue;
    if (v.kind === 'string') value = v.text;
    else if (v.text === 'true' || v.text === 'false') value = v.text === 'true';
    else if (v.text === 'null') value = null;
    else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.text)) value = Number(v.text);
    else throw new ScimFilterError(`"${v.text}" is not a SCIM value (strings are quoted)`);
    return { type: 'compare', attr, op: op as CompareOp, value };
  }
}

export function parseFilter(input: string): ScimFilter {
  if (input.length > 2000) throw new ScimFilterError('filter too long');
  return new Parser(tokenize(input)).parseAll();
}

/** A PATCH path: `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`. */
export interface PatchPath {
  attr: string;
  sub: string | null;
  filter: ScimFilter | null;
}

export function parsePatchPath(path: string): PatchPath {
  const normalized = normalizeAttrPath(path.trim());
  const bracket = normalized.indexOf('[');
  if (bracket < 0) {
    // An extension URN contains dots (`…:2.0:User:manager`): only the part after its last colon is an attribute path.
    const colon = normalized.lastIndexOf(':');
    const head = colon >= 0 ? normalized.slice(0, colon + 1) : '';
    const [attr, sub, ...rest] = normalized.slice(head.length).split('.');
    if (!attr || rest.length > 0) throw new ScimFilterError(`invalid path "${path}"`);
    return { attr: head + attr, sub: sub ?? null, filter: null };
  }
  const close = normalized.lastIndexOf(']');
  if (close < bracket) throw new ScimFilterError(`invalid path "${path}"`);
  const attr = normalized.slice(0, bracket);
  const after = normalized.slice(close + 1);
  if (after && !/^\.[A-Za-z$][\w$-]*$/.test(after)) throw new ScimFilterError(`invalid path "${path}"`);
  return { attr, sub: after ? after.slice(1) : null, filter: parseFilter(normalized.slice(bracket + 1, close)) };
}

/** The object's own key for a SCIM attribute name: attribute names are case-insensitive. */
export function keyOf(obj: Record<string, unknown>, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

function valuesAt(obj: unknown, attr: string): unknown[] {
  let current: unknown[] = [obj];
  for (const part of attr.split('.')) {
    const next: unknown[] = [];
    for (const c of current) {
      if (!c || typeof c !== 'object') continue;
      const v = (c as Record<string, unknown>)[keyOf(c as Record<string, unknown>, part)];
      if (Array.isArray(v)) next.push(...v);
      else if (v !== undefined) next.push(v);
    }
    current = next;
  }
  return current;
}

function compare(actual: unknown, op: CompareOp, expected: FilterValue): boolean {
  // Most SCIM string attributes are caseExact=false (RFC 7643 §2.2): compare case-insensitively.
  const a = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'sw':
      return typeof a === 'string' && typeof e === 'string' && a.startsWith(e);
    case 'ew':
      return typeof a === 'string' && typeof e === 'string' && a.endsWith(e);
    case 'gt':
      return e !== null && a !== null && a !== undefined && (a as never) > (e as never);
    case 'ge':
      return e !== null && a !== null && a !== undefined && (a as never) >= (e as never);
    case 'lt':
      return e !== null && a !== null && a !== undefined && (a as never) < (e as never);
    case 'le':
      return e !== null && a !== null && a !== undefined && (a as never) <= (e as never);
  }
}

/** Whether a resource (or one element of a multi-valued attribute) matches the filter. */
export function matches(obj: unknown, f: ScimFilter): boolean {
  switch (f.type) {
    case 'and':
      return matches(obj, f.left) && matches(obj, f.right);
    case 'or':
      return matches(obj, f.left) || matches(obj, f.right);
    case 'not':
      return !matches(obj, f.filter);
    case 'present':
      return valuesAt(obj, f.attr).some((v) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
    case 'compare': {
      const values = valuesAt(obj, f.attr);
      if (f.op === 'ne') return values.every((v) => compare(v, 'ne', f.value));
      return values.some((v) => compare(v, f.op, f.value));
    }
    case 'valuePath':
      return valuesAt(obj, f.attr).some((v) => matches(v, f.filter));
  }
}
