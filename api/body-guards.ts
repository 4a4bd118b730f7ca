// Checks on a JSON request body's raw bytes before it is parsed (express.json's `verify`):
// invalid UTF-8 would otherwise be stored as U+FFFD, and nesting thousands of levels deep
// parses fine but overflows the stack of every recursive walk after it (validation,
// canonical JSON) into a 500.
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';

/** Deeper than any document Herald accepts needs (templates' data, attributes, configs). */
export const MAX_JSON_DEPTH = 64;

/** The deepest bracket nesting in `buf`, ignoring brackets inside strings; stops past `limit`. */
export function jsonDepth(buf: Buffer, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
      continue;
    }
    if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return max;
}

export function verifyJsonBody(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  if (!isUtf8(buf)) throw new HttpError(400, 'invalid_utf8', 'the request body is not valid UTF-8');
  if (jsonDepth(buf) > MAX_JSON_DEPTH) throw new HttpError(400, 'json_too_deep', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
}
