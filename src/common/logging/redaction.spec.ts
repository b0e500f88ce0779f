import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS } from './logger.module';

describe('log redaction', () => {
  it('blanks credentials and secrets wherever they appear', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'bk_live_secret', cookie: 'sid=1' } },
      body: { password: 'hunter2hunter2', refresh_token: 'rt-123', email: 'a@b.c' },
    });
    const line = lines.join('');
    for (const secret of ['abc.def.ghi', 'bk_live_secret', 'sid=1', 'hunter2hunter2', 'rt-123']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('a@b.c');
  });
});
