import { createTransport, Transporter } from 'nodemailer';
import { MailMessage, Mailer } from './mailer';

/** Sends through an SMTP relay (`SMTP_URL`, e.g. smtps://user:password@smtp.example.com:465). */
export class SmtpMailer extends Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(smtpUrl);
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, ...message });
  }

  close(): void {
    this.transport.close();
  }
}
