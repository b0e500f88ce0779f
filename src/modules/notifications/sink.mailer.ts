import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MailMessage, Mailer } from './mailer';

/**
 * Appends each message as one JSON line to a file instead of sending it: developers read their
 * reset links there, and tests read the tokens. Never for production (the file holds the links).
 */
export class SinkMailer extends Mailer {
  private readonly path: string;

  constructor(path: string) {
    super();
    this.path = resolve(path);
  }

  async send(message: MailMessage): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const line = JSON.stringify({ sent_at: new Date().toISOString(), ...message });
    await appendFile(this.path, `${line}\n`, { encoding: 'utf8', mode: 0o600 });
  }
}
