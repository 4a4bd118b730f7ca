// An email's MIME with each distinct text and html part encoded once, not once per recipient.
// A campaign's mails differ per recipient in their headers (To, Message-ID, the unsubscribe
// link), and in the html when tracking gives each its own pixel and links; the rest of a
// part is the same for everyone, and encoding it (quoted-printable) is most of what building
// a message costs: a 20 KB newsletter's parts encoded once build at 0.21 × the CPU of
// nodemailer's composer per recipient, the text part alone at 0.78 × (bench/mime-build.ts).
// Each message still gets a root of its own, with the headers nodemailer's composer would
// write; only messages it could compose this way (text and html, no attachments) are built
// here; the rest go to nodemailer as they are.
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

/** Parts kept, by their encoded size: a campaign's one or two, with room for several campaigns at once. */
const MAX_BYTES = 16 * 1024 * 1024;

type PartType = 'text/plain; charset=utf-8' | 'text/html; charset=utf-8';

/** Contents seen once and not yet encoded: a part is kept from its second message on. */
const SEEN = 64;

export function createMimeOnce(maxBytes = MAX_BYTES) {
  // Insertion order is recency: a hit moves its entry to the end, eviction takes from the front.
  const parts = new Map<string, { built: Promise<Buffer>; bytes: number }>();
  // A part that never repeats (tracked html: every recipient's pixel is its own) is never kept:
  // encoding it into the cache would cost more than the composer, and fill it for nothing.
  const seen = new Map<string, true>();
  let bytes = 0;

  function forget(key: string, entry: { bytes: number }): void {
    if (parts.get(key) !== entry) return;
    parts.delete(key);
    bytes -= entry.bytes;
  }

  /** The part encoded, when its content came before; undefined the first time. */
  function part(type: PartType, content: string): Promise<Buffer> | undefined {
    const key = `${type}\u0000${content}`;
    const hit = parts.get(key);
    if (hit) {
      parts.delete(key);
      parts.set(key, hit);
      return hit.built;
    }
    if (!seen.delete(key)) {
      seen.set(key, true);
      if (seen.size > SEEN) seen.delete(seen.keys().next().value as string);
      return undefined;
    }
    const built = new MimeNode(type)
      .setContent(content)
      .build()
      // A part built alone ends with a line break; inside the message the boundary's own comes after it.
      .then((b) => (b.length >= 2 && b[b.length - 2] === 0x0d && b[b.length - 1] === 0x0a ? b.subarray(0, b.length - 2) : b));
    // Encoded parts grow by up to a third over the text; counted before they are built, so a burst cannot overshoot.
    const entry = { built, bytes: Math.ceil(Buffer.byteLength(content) * 1.4) };
    parts.set(key, entry);
    bytes += entry.bytes;
    // A failed build is not kept: the next message tries again.
    built.catch(() => forget(key, entry));
    for (const [oldKey, old] of parts) {
      if (bytes <= maxBytes || old === entry) break;
      forget(oldKey, old);
    }
    return built;
  }

  return {
    /** Whether `mail` could be built here: a text and an html part, and nothing only the composer handles. */
    handles(mail: Mail.Options): boolean {
      return typeof mail.text === 'string' && typeof mail.html === 'string' && !mail.attachments?.length && !mail.raw && !mail.alternatives?.length;
    },

    /**
     * The whole message, as nodemailer's composer would write it for `mail` (which `handles`),
     * with the parts whose content came before taken from the cache; undefined when neither
     * did (the composer builds it then, as fast).
     */
    async build(mail: Mail.Options): Promise<Buffer | undefined> {
      const text = part('text/plain; charset=utf-8', mail.text as string);
      const html = part('text/html; charset=utf-8', mail.html as string);
      if (!text && !html) return undefined;
      const root = new MimeNode('multipart/alternative');
      if (mail.headers) root.addHeader(mail.headers as Record<string, string>);
      // As the composer does: these override custom headers; Bcc is never written.
      const fields: [string, unknown][] = [
        ['From', mail.from],
        ['To', mail.to],
        ['Cc', mail.cc],
        ['Reply-To', mail.replyTo],
        ['Subject', mail.subject],
        ['Message-ID', mail.messageId],
      ];
      for (const [name, value] of fields) if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) root.setHeader(name, value as string);
      const [textRaw, htmlRaw] = await Promise.all([text, html]);
      const add = (type: PartType, raw: Buffer | undefined, content: string) => (raw ? root.createChild(type).setRaw(raw) : root.createChild(type).setContent(content));
      add('text/plain; charset=utf-8', textRaw, mail.text as string);
      add('text/html; charset=utf-8', htmlRaw, mail.html as string);
      return root.build();
    },

    /** Encoded parts held, and their estimated bytes (for tests). */
    size: () => ({ parts: parts.size, bytes }),
  };
}

export type MimeOnce = ReturnType<typeof createMimeOnce>;
