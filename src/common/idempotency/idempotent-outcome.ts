/** A response produced (or replayed) under an Idempotency-Key; see IdempotencyInterceptor. */
export class IdempotentOutcome<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly replayed: boolean,
  ) {}
}
