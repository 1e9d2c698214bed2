// Outgoing mail (password resets) through SMTP_URL with nodemailer; without SMTP_URL nothing is sent and an admin
// issues reset links from the console instead.
import nodemailer from 'nodemailer';
import type { Config } from '../../config.js';
import type { Logger } from '../../lib/logger.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** True when SMTP_URL and MAIL_FROM are set. */
  readonly enabled: boolean;
  send(message: MailMessage): Promise<void>;
}

/** A mail server that does not answer must not hold a request (or a worker) for long. */
const SMTP_TIMEOUT_MS = 15_000;

export function createMailer(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>, logger: Logger): Mailer {
  const { SMTP_URL: url, MAIL_FROM: from } = config;
  if (!url || !from) {
    return {
      enabled: false,
      async send() {
        logger.info({ event: 'mail.skipped' }, 'no SMTP_URL: mail not sent');
      },
    };
  }
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    enabled: true,
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
  };
}
