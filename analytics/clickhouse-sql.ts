// A small typed SQL formatter for ClickHouse. Debian's ClickHouse 18.16 has no server-side
// query parameters, so every value reaches the server inside the query text; the only way
// in is through these functions, each of which checks its value's type before formatting
// it, and the `chSql` tag refuses anything that did not come through them.

const FRAGMENT = Symbol('clickhouse-sql-fragment');

export interface ChFragment {
  readonly [FRAGMENT]: true;
  readonly text: string;
}

function fragment(text: string): ChFragment {
  return { [FRAGMENT]: true, text };
}

function isFragment(v: unknown): v is ChFragment {
  return typeof v === 'object' && v !== null && (v as Partial<ChFragment>)[FRAGMENT] === true;
}

export class ChSqlError extends Error {
  override name = 'ChSqlError';
}

/** Joins the template with formatted values; a raw string or number is a programming error. */
export function chSql(strings: TemplateStringsArray, ...values: ChFragment[]): ChFragment {
  let text = strings[0] ?? '';
  values.forEach((v, i) => {
    if (!isFragment(v)) throw new ChSqlError(`value ${i} was not formatted (${typeof v}); use ch.string/ch.uint/...`);
    text += v.text + (strings[i + 1] ?? '');
  });
  return fragment(text);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const ch = {
  /**
   * A database, table or column name. Names come from code or configuration, never from a
   * request, and must still look like plain identifiers; a request picks among names
   * through an allow-list (see `allowed`).
   */
  identifier(name: string): ChFragment {
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw new ChSqlError(`not a plain identifier: ${JSON.stringify(name)}`);
    return fragment('`' + name + '`');
  },

  /** Picks the fragment for `key` from a fixed map, so request input only ever selects. */
  allowed<K extends string>(map: Readonly<Record<K, ChFragment>>, key: string): ChFragment {
    if (!Object.prototype.hasOwnProperty.call(map, key)) throw new ChSqlError(`not allowed: ${JSON.stringify(key)}`);
    return map[key as K];
  },

  /**
   * A string literal. ClickHouse reads backslash escapes inside single quotes, so the
   * backslash goes first, then the quote; control characters are escaped so a value never
   * changes the shape of the statement or of a log line.
   */
  string(value: string): ChFragment {
    if (typeof value !== 'string') throw new ChSqlError(`not a string: ${typeof value}`);
    // eslint-disable-next-line no-control-regex -- escaping control characters is the point
    const escaped = value.replace(/[\\'\u0000\n\r\t\b\f]/g, (c) => {
      switch (c) {
        case '\\':
          return '\\\\';
        case "'":
          return "\\'";
        case '\u0000':
          return '\\0';
        case '\n':
          return '\\n';
        case '\r':
          return '\\r';
        case '\t':
          return '\\t';
        case '\b':
          return '\\b';
        default:
          return '\\f';
      }
    });
    return fragment(`'${escaped}'`);
  },

  /** An unsigned integer literal (UInt8..UInt64 range checked against JavaScript's safe range). */
  uint(value: number): ChFragment {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ChSqlError(`not an unsigned integer: ${String(value)}`);
    return fragment(String(value));
  },

  /** A quantile level or similar constant in [0, 1]. */
  level(value: number): ChFragment {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new ChSqlError(`not a level in [0, 1]: ${String(value)}`);
    return fragment(String(value));
  },

  /**
   * A DateTime, whole seconds, UTC. Written as a unix timestamp so the server's own time zone
   * plays no part; 18.16's DateTime stops at 2105 and has no sub-second precision.
   */
  dateTime(value: Date): ChFragment {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ChSqlError('not a valid Date');
    const seconds = Math.floor(value.getTime() / 1000);
    if (seconds < 0 || seconds > 4_294_967_295) throw new ChSqlError(`DateTime out of range: ${value.toISOString()}`);
    return fragment(`toDateTime(${seconds})`);
  },

  /** A comma-separated list of already formatted fragments. */
  list(values: readonly ChFragment[]): ChFragment {
    for (const v of values) if (!isFragment(v)) throw new ChSqlError('list item was not formatted');
    return fragment(values.map((v) => v.text).join(', '));
  },

  /** SQL written in this codebase, not derived from any input. */
  raw(text: string): ChFragment {
    return fragment(text);
  },
};
