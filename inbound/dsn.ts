// Delivery status notifications (RFC 3464): the body of a `message/delivery-status` part is
// one block of per-message fields, then one block per recipient, blocks separated by blank
// lines, each field in header syntax (folded lines allowed). mailparser finds the part in a
// `multipart/report`; this reads the fields and says what a recipient's report means. Pure.

export interface DsnRecipient {
  /** The address from Final-Recipient (`rfc822; user@example.com` → `user@example.com`). */
  finalRecipient: string | null;
  originalRecipient: string | null;
  /** failed | delayed | delivered | relayed | expanded (lower-cased). */
  action: string | null;
  /** The RFC 3463 status code, e.g. `5.1.1`. */
  status: string | null;
  /** What the remote server said (Diagnostic-Code without its `smtp;` type). */
  diagnosticCode: string | null;
  remoteMta: string | null;
}

export interface DeliveryStatusReport {
  reportingMta: string | null;
  recipients: DsnRecipient[];
}

/** A permanent failure changes the delivery; a delay or temporary failure is only noted. */
export type DsnOutcome = 'hard' | 'soft' | 'none';

const MAX_FIELD = 2000;

function fieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current: Map<string, string> | undefined;
  let last: string | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      current = undefined;
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && current && last) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`.slice(0, MAX_FIELD));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (!current) {
      current = new Map();
      blocks.push(current);
    }
    last = line.slice(0, colon).trim().toLowerCase();
    // The first occurrence of a field counts; a repeated one is malformed input.
    if (!current.has(last)) current.set(last, line.slice(colon + 1).trim().slice(0, MAX_FIELD));
  }
  return blocks;
}

/** `rfc822; user@example.com (comment)` → `user@example.com`. */
function typedValue(v: string | undefined): string | null {
  if (v === undefined) return null;
  const semi = v.indexOf(';');
  const value = (semi >= 0 ? v.slice(semi + 1) : v).trim();
  return value.length > 0 ? value : null;
}

function address(v: string | undefined): string | null {
  const value = typedValue(v);
  if (!value) return null;
  const bare = value.replace(/\([^)]*\)/g, '').replace(/^<|>$/g, '').trim();
  return bare.length > 0 ? bare : null;
}

export function parseDeliveryStatus(text: string): DeliveryStatusReport {
  const blocks = fieldBlocks(text);
  const perMessage = blocks[0] && !blocks[0].has('final-recipient') && !blocks[0].has('action') ? blocks.shift() : undefined;
  return {
    reportingMta: typedValue(perMessage?.get('reporting-mta')),
    recipients: blocks
      .filter((b) => b.has('final-recipient') || b.has('action'))
      .map((b) => ({
        finalRecipient: address(b.get('final-recipient')),
        originalRecipient: address(b.get('original-recipient')),
        action: b.get('action')?.replace(/\([^)]*\)/g, '').trim().toLowerCase() || null,
        status: /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(b.get('status') ?? '')?.[1] ?? null,
        diagnosticCode: typedValue(b.get('diagnostic-code')),
        remoteMta: typedValue(b.get('remote-mta')),
      })),
  };
}

/** RFC 3464 §2.3.3 and RFC 3463: a failure with a permanent (5.x.x) status is a hard bounce. */
export function dsnOutcome(r: DsnRecipient): DsnOutcome {
  if (r.action === 'failed' && r.status?.startsWith('5.')) return 'hard';
  if (r.action === 'delayed' || r.status?.startsWith('4.')) return 'soft';
  // A failure without a usable status says too little to stop mailing an address over.
  if (r.action === 'failed') return 'soft';
  return 'none';
}

/**
 * The report of the recipient a delivery was sent to: the one whose Final- or
 * Original-Recipient is that address, else the only one there is.
 */
export function recipientFor(report: DeliveryStatusReport, sentTo: string | null): DsnRecipient | undefined {
  const want = sentTo?.trim().toLowerCase();
  if (want) {
    const match = report.recipients.find((r) => r.finalRecipient?.toLowerCase() === want || r.originalRecipient?.toLowerCase() === want);
    if (match) return match;
  }
  return report.recipients.length === 1 ? report.recipients[0] : undefined;
}
