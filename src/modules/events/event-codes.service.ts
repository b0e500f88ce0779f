import { Inject, Injectable } from '@nestjs/common';
import { toBuffer, toString as toSvg } from 'qrcode';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { CodeFormat, EventCodeDto } from './dto/event.dto';
import { EventCodeScope, eventCodeKey, EventCodeVerdict, issueEventCode, verifyEventCode } from './event-code';
import { findEvent } from './event-rows';
import { scheduleRefused } from './event.errors';

/** What GET /api/admin/events/{id}/qr answers: the code as JSON, or as a QR image. */
export type ShownEventCode =
  | { contentType: 'application/json'; body: EventCodeDto }
  | { contentType: 'image/png' | 'image/svg+xml'; body: EventCodeDto; image: Buffer | string };

/** The configured key and rotation around the pure event-code functions, and the QR images. */
@Injectable()
export class EventCodesService {
  private readonly key: Buffer;
  private readonly rotationSeconds: number;

  constructor(
    private readonly database: TenantDatabase,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = eventCodeKey(config.EVENT_CODE_SECRET, config.JWT_SECRET);
    this.rotationSeconds = config.EVENT_CODE_ROTATION_SECONDS;
  }

  verify(scope: EventCodeScope, code: string, now = new Date()): EventCodeVerdict {
    return verifyEventCode(this.key, scope, code, now, this.rotationSeconds);
  }

  /** The code for a display at the venue. A cancelled event has none. */
  async show(tenantId: string, eventId: string, format: CodeFormat): Promise<ShownEventCode> {
    const event = await this.database.run(tenantId, (manager) => findEvent(manager, tenantId, eventId));
    if (event.status === 'cancelled') throw scheduleRefused('event_cancelled');
    const issued = issueEventCode(this.key, { tenantId, eventId: event.id }, new Date(), this.rotationSeconds);
    const body: EventCodeDto = {
      event_id: event.id,
      code: issued.code,
      expires_at: issued.expiresAt.toISOString(),
      rotates_at: issued.rotatesAt.toISOString(),
      rotation_seconds: this.rotationSeconds,
    };
    switch (format) {
      case 'json':
        return { contentType: 'application/json', body };
      case 'png':
        return {
          contentType: 'image/png',
          body,
          image: await toBuffer(issued.code, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 }),
        };
      case 'svg':
        return {
          contentType: 'image/svg+xml',
          body,
          image: await toSvg(issued.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
        };
    }
  }
}
