// One SMTP thread (smtp-threads.ts): sends what the event loop hands over through its own
// pooled transports, and answers with nodemailer's reply or the fields of its error.
import { parentPort } from 'node:worker_threads';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { errorFields, sentInfo, type SmtpReply, type SmtpRequest } from './smtp-threads.js';
import { createTransports } from './smtp-transports.js';

const transports = createTransports();
const port = parentPort;

/** Buffers arrive as plain Uint8Arrays; nodemailer takes attachment content as a Buffer or a string. */
function withBuffers(mail: Mail.Options): Mail.Options {
  if (!mail.attachments?.length) return mail;
  const attachments = mail.attachments.map((a) => {
    const content: unknown = a.content;
    return content instanceof Uint8Array && !Buffer.isBuffer(content) ? { ...a, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength) } : a;
  });
  return { ...mail, attachments };
}

port?.on('message', (m: SmtpRequest | 'close') => {
  if (m === 'close') {
    transports.close();
    port.close();
    return;
  }
  const reply = (r: SmtpReply) => port.postMessage(r);
  transports
    .send(m.config, m.lane, withBuffers(m.mail))
    .then(
      (info) => reply({ id: m.id, info: sentInfo(info) }),
      (err: unknown) => reply({ id: m.id, error: errorFields(err) }),
    );
});
