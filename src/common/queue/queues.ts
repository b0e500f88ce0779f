import type { DefaultJobOptions } from 'bullmq';

/** Every BullMQ queue, by name. Processors live in their modules and run in the worker only. */
export const QueueName = {
  Maintenance: 'maintenance',
  Loyalty: 'loyalty',
  Rewards: 'rewards',
  Gamification: 'gamification',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: QueueName[] = Object.values(QueueName);

export const MaintenanceJob = {
  PurgeIdempotencyKeys: 'purge-idempotency-keys',
} as const;

/** Scheduled passes over loyalty accounts, tenant by tenant (see LedgerMaintenanceService). */
export const LoyaltyJob = {
  /** The points pass: held points released, then due points expired (the name predates the release). */
  ExpirePoints: 'expire-points',
  /** Retired: releases run in the points pass; kept so the worker can remove its old schedule. */
  ReleasePendingPoints: 'release-pending-points',
  ReviewTiers: 'review-tiers',
} as const;

/** Scheduled passes over redemptions, tenant by tenant (see RedemptionExpiryService). */
export const RewardsJob = {
  ExpireRedemptions: 'expire-redemptions',
} as const;

/** Leaderboard rebuilds from the ledger and community-challenge settlement (see the gamification module). */
export const GamificationJob = {
  RebuildLeaderboards: 'rebuild-leaderboards',
  SettleChallenges: 'settle-challenges',
  SettleChallenge: 'settle-challenge',
} as const;

/**
 * Retried with exponential backoff (1 s, 2 s, 4 s, ...); failed jobs are kept so that they can be
 * inspected and replayed; completed ones are trimmed.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: false,
};
