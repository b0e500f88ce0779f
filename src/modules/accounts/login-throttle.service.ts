import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { REDIS } from '../../common/redis/redis.module';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';

/** A failure counter and how many failures it allows per window. */
export interface FailureCounter {
  key: string;
  limit: number;
}

/**
 * One attempt at a guarded secret (password, TOTP code). It was counted as a failure up front, so
 * that parallel guesses cannot all slip past the limit; what turns out not to be a failure gives
 * its count back.
 */
export interface GuardedAttempt {
  /** Over a limit: refuse without checking anything. Nothing was counted. */
  readonly throttled: boolean;
  /** Seconds until the exceeded counters' window ends. */
  readonly retryAfterSeconds: number;
  /** The secret was right but the attempt did not complete (e.g. a TOTP code is still needed). */
  release(): Promise<void>;
  /** Complete success: the first counter (the account's) starts over; the others give back one. */
  succeed(): Promise<void>;
}

// INCR each counter and start its window on the first failure; answer the counts and the time
// left. One script, so that the count and the expiry can never be split.
const RESERVE = `
local result = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
  table.insert(result, count)
  table.insert(result, redis.call('PTTL', key))
end
return result`;

// Give back one count, but never bring back a counter whose window has ended meanwhile (a DECR
// would recreate it at -1 with no expiry).
const RELEASE = `
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end
end
return 0`;

const RESET_FIRST = `
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return 0`;

/**
 * Failure counters in Redis (shared by every API replica), with a fixed window that starts at the
 * first failure. Keys live under QUEUE_PREFIX, whose braces keep them in one Redis Cluster slot.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(kind: string, identity: string): string {
    // Hashed so that no e-mail address is stored in Redis.
    const digest = createHash('sha256').update(identity).digest('base64url');
    return `${this.config.QUEUE_PREFIX}:auth-failures:${kind}:${digest}`;
  }

  /** Sign-in failures of one account (tenant + e-mail, case-insensitive) and of one IP address. */
  loginCounters(accountScope: string, email: string, ip: string | null): FailureCounter[] {
    return [
      { key: this.key('account', `${accountScope}|${email.trim().toLowerCase()}`), limit: this.accountLimit },
      { key: this.key('ip', ip ?? 'unknown'), limit: this.config.LOGIN_MAX_FAILURES_PER_IP },
    ];
  }

  /** Failures of a signed-in person at a secret check (current password, TOTP code). */
  accountCounter(purpose: string, accountId: string): FailureCounter[] {
    return [{ key: this.key(purpose, accountId), limit: this.accountLimit }];
  }

  private get accountLimit(): number {
    return this.config.LOGIN_MAX_FAILURES_PER_ACCOUNT;
  }

  async attempt(counters: FailureCounter[]): Promise<GuardedAttempt> {
    const keys = counters.map((counter) => counter.key);
    const window = this.config.LOGIN_FAILURE_WINDOW_SECONDS * 1000;
    const result = (await this.redis.eval(RESERVE, keys.length, ...keys, window)) as number[];
    const exceeded = counters.flatMap((counter, i) =>
      result[2 * i] > counter.limit ? [Math.max(result[2 * i + 1], 1000)] : [],
    );
    const release = async () => {
      await this.redis.eval(RELEASE, keys.length, ...keys);
    };
    if (exceeded.length > 0) {
      // A refused attempt checked nothing, so it is not a failure: only real guesses count.
      await release();
      return { throttled: true, retryAfterSeconds: Math.ceil(Math.max(...exceeded) / 1000), release, succeed: release };
    }
    return {
      throttled: false,
      retryAfterSeconds: 0,
      release,
      succeed: async () => {
        await this.redis.eval(RESET_FIRST, keys.length, ...keys);
      },
    };
  }
}
