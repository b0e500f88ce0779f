import { BusinessRuleError, ConflictError } from '../../common/errors/domain-error';
import { IneligibilityReason } from './eligibility';
import { RedemptionStatus } from './redemption.entity';

const DETAIL: Record<IneligibilityReason, string> = {
  inactive: 'This reward is not available at the moment.',
  not_yet_available: 'This reward cannot be redeemed yet.',
  expired: 'This reward can no longer be redeemed.',
  tier_required: 'This reward is for customers of a higher tier.',
  location_restricted: 'This reward is not available at this location.',
  limit_reached: 'You have redeemed this reward as many times as it allows.',
  out_of_stock: 'This reward is out of stock.',
  insufficient_points: 'You do not have enough points for this reward.',
};

/**
 * A redemption refused (422). The codes are API.md's: `out_of_stock`, `limit_reached`,
 * `insufficient_points` (InsufficientPointsError, from the ledger), and `not_eligible` for every
 * other reason, which `reason` names with the catalog's word for it.
 */
export class RedemptionRefusedError extends BusinessRuleError {
  constructor(reason: Exclude<IneligibilityReason, 'insufficient_points'>, extra: Record<string, unknown> = {}) {
    const code = reason === 'out_of_stock' || reason === 'limit_reached' ? reason : 'not_eligible';
    super(code, DETAIL[reason], { reason, ...extra });
  }
}

const CLOSED: Record<Exclude<RedemptionStatus, 'pending'>, [string, string]> = {
  fulfilled: ['voucher_already_fulfilled', 'This voucher has already been fulfilled.'],
  cancelled: ['voucher_cancelled', 'This voucher was cancelled.'],
  expired: ['voucher_expired', 'This voucher has expired.'],
};

/** A voucher that is no longer pending cannot be fulfilled or cancelled (409, per its state). */
export class VoucherClosedError extends ConflictError {
  constructor(status: Exclude<RedemptionStatus, 'pending'>) {
    const [code, message] = CLOSED[status];
    super(code, message);
  }
}

/** Staff tried to hand over a location-restricted reward elsewhere (or without saying where). */
export class FulfilmentLocationError extends BusinessRuleError {
  constructor(locationIds: readonly string[]) {
    super('location_restricted', 'This reward is handed over only at its locations; give one of them as location_id.', {
      location_ids: locationIds,
    });
  }
}
