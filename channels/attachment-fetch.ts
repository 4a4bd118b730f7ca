// An email attachment given by URL: fetched through the outbound guard (the URL is the
// tenant's; every connection is checked, redirects are not followed), capped in size as it
// streams in, and checked against the declared media type.
import { fetch as undiciFetch } from 'undici';
import { DeliveryError, DeliveryErrorType } from './errors.js';
import { errorForStatus, isSuccess } from './http.js';
import { checkLiteralHost, guardedDispatcher, OutboundRefused, type OutboundPolicy } from './outbound-guard.js';

export interface FetchedFile {
  content: Buffer;
  contentType: string;
}

export interface FetchOptions {
  maxBytes: number;
  /** The media type the request declared; the answer must be the same. */
  contentType: string | null;
  outbound: OutboundPolicy;
  timeoutMs?: number | undefined;
}

/** Why a fetch failed, as a DeliveryError: the guard's refusal as it is, anything else a transient network failure. */
function networkError(host: string, err: unknown): DeliveryError {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof DeliveryError) return e;
  }
  const name = (err as { name?: string } | null)?.name;
  const code = name === 'TimeoutError' || name === 'AbortError' ? 'ETIMEDOUT' : 'ECONNECTION';
  return new DeliveryError(DeliveryErrorType.Network, `attachment URL ${host}: ${code}`, { code, cause: err });
}

async function readCapped(body: AsyncIterable<Uint8Array> | null, maxBytes: number, host: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.length;
    if (size > maxBytes) throw new DeliveryError(DeliveryErrorType.Content, `attachment URL ${host} answered more than ${maxBytes} bytes`, { code: 'ETOOLARGE' });
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

export async function fetchAttachment(url: string, o: FetchOptions): Promise<FetchedFile> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new OutboundRefused(`${target.protocol} is not http(s)`);
  checkLiteralHost(target, o.outbound);
  const dispatcher = guardedDispatcher(o.outbound);
  try {
    const res = await undiciFetch(target, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs ?? 30_000), dispatcher });
    const headers = res.headers as unknown as Headers;
    // A missing file will not appear by retrying: a 404 is permanent, a 5xx or 429 is retried.
    if (!isSuccess(res.status)) throw errorForStatus('attachment URL', { status: res.status, headers, text: await res.text() }, '', { goneType: DeliveryErrorType.Content });
    const answered = (headers.get('content-type') ?? 'application/octet-stream').split(';')[0]?.trim().toLowerCase() ?? '';
    if (o.contentType && answered !== o.contentType) {
      await res.body?.cancel();
      throw new DeliveryError(DeliveryErrorType.Content, `attachment URL answered ${answered}, not the declared ${o.contentType}`, { code: 'ECONTENTTYPE' });
    }
    return { content: await readCapped(res.body, o.maxBytes, target.host), contentType: o.contentType ?? answered };
  } catch (err) {
    throw networkError(target.host, err);
  } finally {
    await dispatcher.destroy();
  }
}
