import type Redis from 'ioredis';

/** How long increments gather before one pipeline carries them to Redis. */
export const INCREMENTS_FLUSH_MS = 25;

/**
 * Leaderboard increments gathered for a few milliseconds and sent as one pipeline: at hundreds of
 * earns a second, one Redis round trip serves many requests instead of one each, and a board's
 * EXPIRE is sent once per flush instead of once per earn. Increments of one member on one board
 * are summed.
 *
 * Readers in this process call `flush` first, so a customer who just earned sees it on the board.
 * Another process (a second API instance) sees an increment up to INCREMENTS_FLUSH_MS later.
 * Like every board write this is best effort: a failed flush is reported to `onError` and left
 * to the rebuild job, which recomputes the boards from the ledger.
 */
export class LeaderboardIncrements {
  private pending = new Map<string, { ttl: number | null; members: Map<string, number> }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(key: string, member: string, points: number, ttl: number | null): void {
    let board = this.pending.get(key);
    if (!board) {
      board = { ttl, members: new Map() };
      this.pending.set(key, board);
    }
    board.members.set(member, (board.members.get(member) ?? 0) + points);
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
      for (const [key, { ttl, members }] of boards) {
        for (const [member, points] of members) pipeline.zincrby(key, points, member);
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
