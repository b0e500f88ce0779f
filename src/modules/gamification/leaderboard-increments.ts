import type Redis from 'ioredis';

/** How long increments gather before one pipeline carries them to Redis. */
export const INCREMENTS_FLUSH_MS = 25;

interface PendingBoard {
  ttl: number | null;
  /** Each member's summed increment. */
  members: Map<string, number>;
  /** Whether an increment was negative: members may have reached 0 or below. */
  lowered: boolean;
}

/**
 * Leaderboard increments gathered for a few milliseconds and sent as one pipeline: at hundreds of
 * earns a second, one Redis round trip serves many requests instead of one each, and a board's
 * EXPIRE is sent once per flush instead of once per earn. Increments of one member on one board
 * are summed.
 *
 * An increment may be negative (a refund takes earning back). A board never keeps a member at 0
 * or below, as the rebuild never writes one: a flush that lowered a board ends, for that board
 * only, with ZREMRANGEBYSCORE -inf 0. That also drops a decrement sent to a bucket that has
 * expired (Redis re-creates the key for the ZINCRBY, and deletes it again once it is empty).
 * Two replicas' increments for one member may reach Redis in either order (an earn still
 * gathering in one while a refund of it is sent by the other), and a member removed meanwhile
 * comes back with only the later increment; the rebuild settles it, as it does any lost write.
 *
 * Readers in this process call `flush` first, so a customer who just earned sees it on the board.
 * Another process (a second API instance) sees an increment up to INCREMENTS_FLUSH_MS later.
 * Like every board write this is best effort: a failed flush is reported to `onError` and left
 * to the rebuild job, which recomputes the boards from the ledger.
 */
export class LeaderboardIncrements {
  private pending = new Map<string, PendingBoard>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(key: string, member: string, points: number, ttl: number | null): void {
    let board = this.pending.get(key);
    if (!board) {
      board = { ttl, members: new Map(), lowered: false };
      this.pending.set(key, board);
    }
    board.members.set(member, (board.members.get(member) ?? 0) + points);
    if (points < 0) board.lowered = true;
    this.timer ??= setTimeout(() => void this.flush(), INCREMENTS_FLUSH_MS).unref();
  }

  /** Sends what has gathered; resolves once it, and any flush before it, has reached Redis. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const boards = this.pending;
    if (boards.size > 0) {
      this.pending = new Map();
      const pipeline = this.redis.pipeline();
      for (const [key, { ttl, members, lowered }] of boards) {
        for (const [member, points] of members) {
          // An earn and its refund in one flush cancel out: ZINCRBY 0 would add an absent member at 0.
          if (points !== 0) pipeline.zincrby(key, points, member);
        }
        if (lowered) pipeline.zremrangebyscore(key, '-inf', 0);
        if (ttl !== null) pipeline.expire(key, ttl);
      }
      // Pipelines on one connection reach Redis in the order they were sent; chained, a flush
      // resolves only once the earlier ones have too.
      const sent = pipeline.exec().then(
        (results) => results?.forEach(([error]) => error && this.onError(error)),
        (error: unknown) => this.onError(error),
      );
      this.flushing = Promise.all([this.flushing, sent]).then(() => undefined);
    }
    return this.flushing;
  }
}
