// The baseline's only activity: the same mail through a pooled nodemailer transport.
import type { Transporter } from 'nodemailer';

export interface BareMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export function createBareActivities(deps: { transport: Transporter }) {
  return {
    async sendMail(mail: BareMail): Promise<string> {
      const info = await deps.transport.sendMail(mail);
      return String(info.messageId);
    },
  };
}
