// The tree of a parsed SCIM filter (RFC 7644 §3.4.2.2): what domain/directory/scim-filter.ts
// produces and what schema/queries/scim.ts compiles to SQL.

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

export type ScimFilter =
  | { type: 'and' | 'or'; left: ScimFilter; right: ScimFilter }
  | { type: 'not'; filter: ScimFilter }
  | { type: 'compare'; attr: string; op: CompareOp; value: FilterValue }
  | { type: 'present'; attr: string }
  | { type: 'valuePath'; attr: string; filter: ScimFilter };
