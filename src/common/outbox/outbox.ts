import { EntityManager } from 'typeorm';

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
  const values: unknown[] = [];
  const rows = events.map((event, index) => {
    values.push(tenantId, event.type, event.aggregateType, event.aggregateId, JSON.stringify(event.payload));
    const at = index * 5;
    return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::jsonb)`;
  });
  const inserted = (await manager.query(
    `INSERT INTO outbox (tenant_id, event_type, aggregate_type, aggregate_id, payload) VALUES ${rows.join(', ')} RETURNING id`,
    values,
  )) as Array<{ id: string }>;
  return inserted.map((row) => row.id);
}
