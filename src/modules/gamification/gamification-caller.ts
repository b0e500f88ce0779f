import { Actor } from '../../common/auth/actor';
import { ForbiddenError } from '../../common/errors/domain-error';

/** The customer a @Customer() route acts for: a customer token's user id is their customers row id. */
export function customerOf(actor: Actor): { tenantId: string; customerId: string } {
  if (actor.kind !== 'user' || actor.role !== 'customer') {
    throw new ForbiddenError('Only customers take part in achievements and challenges.', 'not_a_customer');
  }
  return { tenantId: actor.tenantId, customerId: actor.userId };
}

/**
 * Who records the activities the gamification module causes (a completed challenge): the customer
 * whose progress completed it, so the activity's `source` names them and not a made-up actor.
 */
export function customerActor(tenantId: string, customerId: string): Actor {
  return { kind: 'user', userId: customerId, tenantId, role: 'customer' };
}
