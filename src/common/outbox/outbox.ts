import { EntityManager } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { quoteLiteral } from '../../database/sql-literal';
import { deferInsertUntilCommit } from '../../database/tenant-transaction';

export interface DomainEvent {
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

const OUTBOX_INSERT = 'INSERT INTO outbox (tenant_id, id, event_type, aggregate_type, aggregate_id, payload) VALUES';

/**
 * Appends domain events to the outbox through the caller's transaction manager: the events
 * exist exactly when the change they describe committed. In a tenant transaction the insert
 * travels with the COMMIT (see deferInsertUntilCommit), one round trip fewer, and all the
 * transaction's events are one INSERT; the events' `sequence` then follows the commit order.
 * Returns the event ids.
 */
export async function appendToOutbox(
  manager: EntityManager,
  tenantId: string,
  events: DomainEvent[],
): Promise<string[]> {
  if (events.length === 0) return [];
  const ids = events.map(() => randomUUID());
  const rows = events.map(
    (event, index) =>
      `(${[tenantId, ids[index], event.type, event.aggregateType, event.aggregateId, JSON.stringify(event.payload)]
        .map(quoteLiteral)
        .join(', ')})`,
  );
  if (!deferInsertUntilCommit(manager, OUTBOX_INSERT, rows)) await manager.query(`${OUTBOX_INSERT} ${rows.join(', ')}`);
  return ids;
}
