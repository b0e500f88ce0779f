import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { mailTransportOf } from '../../config/credential-checks';
import { Mailer } from './mailer';
import { SinkMailer } from './sink.mailer';
import { SmtpMailer } from './smtp.mailer';

export function mailerFor(config: AppConfig): Mailer {
  if (mailTransportOf(config) === 'smtp') return new SmtpMailer(config.SMTP_URL!, config.MAIL_FROM);
  return new SinkMailer(config.MAIL_SINK_PATH);
}

@Injectable()
class MailerCloser implements OnApplicationShutdown {
  constructor(@Inject(Mailer) private readonly mailer: Mailer) {}

  onApplicationShutdown(): void {
    if (this.mailer instanceof SmtpMailer) this.mailer.close();
  }
}

/** Outgoing e-mail: provides `Mailer` with the transport MAIL_TRANSPORT chooses. */
@Module({
  providers: [{ provide: Mailer, inject: [APP_CONFIG], useFactory: mailerFor }, MailerCloser],
  exports: [Mailer],
})
export class NotificationsModule {}
