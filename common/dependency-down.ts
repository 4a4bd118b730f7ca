// Whether a failure means a dependency (PostgreSQL, Temporal, a network peer) is unreachable
// right now: the API answers 503 and activities retry, instead of calling it a bad input.
const PG_DOWN_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const NET_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** True for failures that mean a dependency (PostgreSQL, Temporal) is unreachable right now. */
export function isDependencyDown(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof x.code === 'string' && (PG_DOWN_CODES.has(x.code) || NET_DOWN_CODES.has(x.code))) return true;
    if (x.code === GRPC_UNAVAILABLE || x.code === GRPC_DEADLINE_EXCEEDED) return true;
    const msg = typeof x.message === 'string' ? x.message : '';
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(msg)) return true;
    if (x.name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|Failed to connect/i.test(msg)) return true;
  }
  return false;
}
