import { EntityManager } from 'typeorm';
import { queryPrepared } from '../../database/prepared';

export interface DomainEvent {
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/**
 * Appends domain events to the outbox through the caller's transaction manager: the events
 * exist exactly when the change they describe committed. Returns the event ids.
 */
export async function appendToOutbox(
  manager: EntityManager,
  tenantId: string,
  events: DomainEvent[],
): Promise<string[]> {
  if (events.length === 0) return [];
  const insert = outboxInsert(tenantId, events);
  const inserted = await queryPrepared<{ id: string }>(manager, `${insert.sql} RETURNING id`, insert.values);
  return inserted.map((row) => row.id);
}

/**
 * The outbox INSERT of `events` as text and values, its placeholders numbered after the first
 * `offset` parameters: for a caller that writes its change and the events in one statement
 * (`WITH change AS (INSERT ...) INSERT INTO outbox ...`), one round trip fewer.
 */
export function outboxInsert(tenantId: string, events: DomainEvent[], offset = 0): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = events.map((event, index) => {
    values.push(tenantId, event.type, event.aggregateType, event.aggregateId, JSON.stringify(event.payload));
    const at = offset + index * 5;
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::jsonb)`;
  });
  return {
    sql: `INSERT INTO outbox (tenant_id, event_type, aggregate_type, aggregate_id, payload) VALUES ${rows.join(', ')}`,
    values,
  };
}
