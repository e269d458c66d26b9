// E-mail for everything that sends it (script actions, voicemail notifications),
// through the SMTP server in the site file. A service, so a site can replace it
// (an API-based mail provider, a test sink).

import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../config/schema.js';
import { defineService } from '../core/service-manager.js';
import { TenorError } from '../core/errors.js';

export interface MailMessage {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; path?: string; content?: Buffer; contentType?: string }[];
}

export interface MailService {
  readonly configured: boolean;
  /** Resolves with the SMTP message id once the server accepted the message. */
  send(message: MailMessage): Promise<{ messageId: string }>;
}

declare module '../core/service-manager.js' {
  interface ServiceMap {
    mail: MailService;
  }
}

export function mailService(smtp: SmtpConfig | undefined) {
  return defineService<MailService & { close(): void }>({
    name: 'mail',
    version: '1.0.0',
    description: smtp ? `E-mail through ${smtp.host}` : 'E-mail (no SMTP server configured)',
    start(ctx) {
      const transport = smtp
        ? nodemailer.createTransport({
            host: smtp.host,
            port: smtp.port ?? (smtp.secure ? 465 : 587),
            secure: smtp.secure ?? false,
            // Without requireTls, STARTTLS is used when the server offers it; with it, never plain text.
            requireTLS: smtp.requireTls ?? false,
            ...(smtp.caFile !== undefined ? { tls: { ca: readFileSync(smtp.caFile) } } : {}),
            ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
          })
        : undefined;
      return {
        configured: transport !== undefined,
        async send(message) {
          if (!transport || !smtp) throw new TenorError('TENOR_ERR_MAIL_NOT_CONFIGURED');
          const to = Array.isArray(message.to) ? message.to.join(', ') : message.to;
          try {
            const info = await transport.sendMail({ from: smtp.from, ...message, to });
            ctx.logger.info({ to, subject: message.subject, messageId: info.messageId }, 'e-mail sent');
            return { messageId: String(info.messageId) };
          } catch (err) {
            throw new TenorError('TENOR_ERR_MAIL_FAILED', [to, (err as Error).message], { cause: err });
          }
        },
        close: () => transport?.close(),
      };
    },
    stop: (mail) => mail.close(),
    health: (mail) => (mail.configured ? { status: 'ok' } : { status: 'ok', detail: 'no SMTP server configured: e-mail is off' }),
  });
}
