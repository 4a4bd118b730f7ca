// A webhook receiver on loopback that verifies every request independently with the
// `standardwebhooks` package against the secrets it is told, and records which verified it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  /** `webhook-id`: the event id. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** The receiver's secrets that verified the signature (at least one, or it was refused). */
  verifiedBy: string[];
}

export interface WebhookReceiver {
  url: string;
  /** Secrets the receiver verifies with; a test adds the one a create or rotation showed. */
  secrets: string[];
  accepted: ReceivedWebhook[];
  /** Requests no secret verified (answered 401). */
  unverified(): number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(answer: { status: number; body: string } = { status: 200, body: 'ok, received' }): Promise<WebhookReceiver> {
  const secrets: string[] = [];
  const accepted: ReceivedWebhook[] = [];
  let unverified = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      const verifiedBy = secrets.filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (verifiedBy.length === 0) {
        unverified += 1;
        res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature');
        return;
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      accepted.push({ id: headers['webhook-id'], type: parsed.type, data: parsed.data, verifiedBy });
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    secrets,
    accepted,
    unverified: () => unverified,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
