/**
 * Whether a customer may redeem a reward now, and if not, why. The catalog shows the answer and the
 * redemption enforces it; the redemption re-reads the facts under the customer's account lock, and
 * stock is settled by a conditional update (a catalog answer is a snapshot, never a promise).
 */
export const INELIGIBILITY_REASONS = [
  'inactive',
  'not_yet_available',
  'expired',
  'tier_required',
  'location_restricted',
  'limit_reached',
  'out_of_stock',
  'insufficient_points',
] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

export interface RewardTerms {
  active: boolean;
  /** Available from this instant (inclusive); null = from creation. */
  startDate: Date | null;
  /** Available until this instant (exclusive); null = open-ended. */
  endDate: Date | null;
  pointCost: number;
  /** Units left; null = unlimited. */
  quantityAvailable: number | null;
  /**
   * Rank of the lowest tier that may redeem; null = every customer. A minimum tier that has since
   * been deleted is Infinity: nobody qualifies, rather than the reward opening up to everyone.
   */
  minTierRank: number | null;
  /** Redemptions per customer (pending or fulfilled); null = no limit. */
  perCustomerLimit: number | null;
  /** Only redeemable and fulfilled at these locations; empty = anywhere. */
  locationIds: readonly string[];
}

export interface CustomerStanding {
  /** Spendable points in the reward's program. */
  balance: number;
  /** Rank of the customer's tier in that program; null = no tier yet. */
  tierRank: number | null;
  /** This customer's redemptions of this reward that count towards the limit. */
  redeemedCount: number;
  /** Where the customer is redeeming, when known. */
  locationId: string | null;
}

export type Eligibility = { eligible: true; reason: null } | { eligible: false; reason: IneligibilityReason };

/**
 * The first reason that applies, from the most lasting (the reward is off, not for this tier) to
 * the most passing (points the customer may yet earn), so the reason shown is the one worth acting on.
 */
export function eligibility(reward: RewardTerms, customer: CustomerStanding, now: Date): Eligibility {
  const refuse = (reason: IneligibilityReason): Eligibility => ({ eligible: false, reason });
  const offered = availability(reward, now);
  if (offered !== null) return refuse(offered);
  if (reward.minTierRank !== null && (customer.tierRank === null || customer.tierRank < reward.minTierRank)) {
    return refuse('tier_required');
  }
  if (!locationAllowed(reward, customer.locationId)) return refuse('location_restricted');
  if (reward.perCustomerLimit !== null && customer.redeemedCount >= reward.perCustomerLimit) {
    return refuse('limit_reached');
  }
  if (reward.quantityAvailable !== null && reward.quantityAvailable <= 0) return refuse('out_of_stock');
  if (customer.balance < reward.pointCost) return refuse('insufficient_points');
  return { eligible: true, reason: null };
}

/** Whether the reward is on offer at all, whoever asks: the reasons that come first in any case. */
export function availability(
  reward: Pick<RewardTerms, 'active' | 'startDate' | 'endDate'>,
  now: Date,
): Extract<IneligibilityReason, 'inactive' | 'not_yet_available' | 'expired'> | null {
  if (!reward.active) return 'inactive';
  if (reward.startDate !== null && now < reward.startDate) return 'not_yet_available';
  if (reward.endDate !== null && now >= reward.endDate) return 'expired';
  return null;
}

/**
 * A restricted reward can be redeemed from anywhere (the app need not know where the customer is),
 * unless the customer says where they are and it is not one of the reward's locations.
 */
export function locationAllowed(reward: Pick<RewardTerms, 'locationIds'>, locationId: string | null): boolean {
  if (reward.locationIds.length === 0 || locationId === null) return true;
  return reward.locationIds.includes(locationId.toLowerCase());
}

/** A restricted reward is handed over only at one of its locations, so staff must say which. */
export function fulfilmentLocationAllowed(
  reward: Pick<RewardTerms, 'locationIds'>,
  locationId: string | null,
): boolean {
  if (reward.locationIds.length === 0) return true;
  return locationId !== null && reward.locationIds.includes(locationId.toLowerCase());
}
