import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainEvent } from '../../../common/outbox/outbox';
import { LockedAccount } from '../ledger/ledger';
import type { ContextRead } from './earning-context';

/** What a listener learns about an activity that was just applied (not yet committed). */
export interface RecordedActivity {
  tenantId: string;
  customerId: string;
  programId: string;
  activityId: string;
  type: string;
  locationId: string | null;
  occurredAt: Date;
  /** Points this activity earned (0 when none). */
  points: number;
  /** The account after the activity, still locked by the transaction. */
  account: LockedAccount;
  /** The tier the account moved to with this activity, when it moved. */
  tierChangedTo: string | null;
  /** When its points were written to the ledger (decides their leaderboard week and month). */
  earnedAt: Date;
  /** The tenant's time zone. */
  timeZone: string;
  /** What the listeners asked to read with the activity's context (ActivityListener.reads), by name. */
  reads: Readonly<Record<string, unknown>>;
}

/** One rule's share of a purchase's points that a refund reversed. */
export interface RefundReversal {
  /** What the ledger took back. */
  taken: number;
  /** What it could not take back: points the customer had already spent (or that expired). */
  shortfall: number;
  /** When the purchase earned these points (the ledger's earn row). */
  earnedAt: Date;
}

/** What a listener learns about a refund that was just applied (not yet committed). */
export interface AppliedRefund {
  tenantId: string;
  customerId: string;
  /** The refund's own activity (its ledger rows name it). */
  activityId: string;
  /** The account after the refund, still locked by the transaction. */
  account: LockedAccount;
  /** The purchase's points the refund reversed, rule by rule (rules with nothing to reverse left out). */
  reversals: RefundReversal[];
  /** Points the tenant's refund rules gave (a goodwill gesture), earned at `earnedAt`. */
  gained: number;
  earnedAt: Date;
  timeZone: string;
  /** The listeners' context reads, as for an activity (see ActivityListener.reads). */
  reads: Readonly<Record<string, unknown>>;
}

/**
 * Reacts to an activity inside its transaction (achievements, challenges, leaderboards): what a
 * listener writes commits or rolls back with the activity, and the events it returns go to the
 * outbox with the activity's own. Listeners run one after another, in registration order.
 */
export interface ActivityListener {
  /**
   * Values to read in the earning path's first statement (see loadEarningContext) instead of a
   * round trip of their own: definitions (achievements, running challenges) and the like.
   */
  readonly reads?: readonly ContextRead[];
  onActivityRecorded(manager: EntityManager, activity: RecordedActivity): Promise<DomainEvent[]>;
  /**
   * Reacts to a refund, inside its transaction. A hook of its own rather than `onActivityRecorded`:
   * a refund undoes part of an earlier activity, it is not one more thing the customer did, and
   * passed through `onActivityRecorded` every listener would have to learn not to count it (a
   * challenge or a badge counting activities of a type would count refunds as progress). The
   * events it returns go to the outbox with the refund's own.
   */
  onRefundApplied?(manager: EntityManager, refund: AppliedRefund): Promise<DomainEvent[]>;
}

/**
 * Where modules that react to activities sign up, from their own `onModuleInit` (Nest has no
 * multi-providers; an explicit registry also keeps the loyalty module unaware of its listeners).
 */
@Injectable()
export class ActivityListeners {
  private readonly listeners: ActivityListener[] = [];

  register(listener: ActivityListener): void {
    this.listeners.push(listener);
  }

  /** Every listener's context reads. */
  reads(): ContextRead[] {
    return this.listeners.flatMap((listener) => listener.reads ?? []);
  }

  async notify(manager: EntityManager, activity: RecordedActivity): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    for (const listener of this.listeners) events.push(...(await listener.onActivityRecorded(manager, activity)));
    return events;
  }

  async notifyRefund(manager: EntityManager, refund: AppliedRefund): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    for (const listener of this.listeners) events.push(...((await listener.onRefundApplied?.(manager, refund)) ?? []));
    return events;
  }
}
