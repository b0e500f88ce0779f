/** An e-mail to one recipient. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * The e-mail port. Modules inject `Mailer` and never know the transport: a local JSON-lines file
 * in development and tests (see SinkMailer), SMTP in production (see SmtpMailer).
 */
export abstract class Mailer {
  abstract send(message: MailMessage): Promise<void>;
}
