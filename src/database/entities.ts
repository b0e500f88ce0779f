import { IdempotencyKeyEntity } from '../common/idempotency/idempotency-key.entity';
import { ApiKeyEntity } from '../modules/accounts/api-key.entity';
import {
  PasswordResetTokenEntity,
  PlatformPasswordResetTokenEntity,
} from '../modules/accounts/password-reset-token.entity';
import { PlatformAdminEntity } from '../modules/accounts/platform-admin.entity';
import { PlatformRefreshTokenEntity, RefreshTokenEntity } from '../modules/accounts/refresh-token.entity';
import { UserEntity } from '../modules/accounts/user.entity';
import { AuditEntryEntity } from '../modules/audit/audit-entry.entity';
import { OutboxEventEntity } from '../common/outbox/outbox-event.entity';
import { CustomerEntity } from '../modules/customers/customer.entity';
import { CheckinEntity } from '../modules/locations/checkin.entity';
import { LocationEntity } from '../modules/locations/location.entity';
import { EventAttendanceEntity } from '../modules/events/event-attendance.entity';
import { EventRegistrationEntity } from '../modules/events/event-registration.entity';
import { EventEntity } from '../modules/events/event.entity';
import { AccessLevelEntity } from '../modules/gamification/access-level.entity';
import { AchievementEntity } from '../modules/gamification/achievement.entity';
import { ChallengeParticipantEntity } from '../modules/gamification/challenge-participant.entity';
import { ChallengeEntity } from '../modules/gamification/challenge.entity';
import { ContentItemEntity } from '../modules/gamification/content-item.entity';
import { CustomerAchievementEntity } from '../modules/gamification/customer-achievement.entity';
import { ActivityEntity } from '../modules/loyalty/activity.entity';
import { LoyaltyAccountEntity } from '../modules/loyalty/ledger/loyalty-account.entity';
import { PointLotEntity } from '../modules/loyalty/ledger/point-lot.entity';
import { PointTransactionEntity } from '../modules/loyalty/ledger/point-transaction.entity';
import { ProgramEntity } from '../modules/loyalty/program.entity';
import { RuleEntity } from '../modules/loyalty/rule.entity';
import { TierChangeEntity } from '../modules/loyalty/tier-change.entity';
import { TierEntity } from '../modules/loyalty/tier.entity';
import { RedemptionEntity, RedemptionLotEntity } from '../modules/rewards/redemption.entity';
import { RewardEntity } from '../modules/rewards/reward.entity';
import { TenantEntity } from '../modules/tenants/tenant.entity';

/** Every entity, in one list: the data source and the schema drift check both read it. */
export const ENTITIES = [
  TenantEntity,
  IdempotencyKeyEntity,
  PlatformAdminEntity,
  UserEntity,
  RefreshTokenEntity,
  PlatformRefreshTokenEntity,
  PasswordResetTokenEntity,
  PlatformPasswordResetTokenEntity,
  ApiKeyEntity,
  AuditEntryEntity,
  ProgramEntity,
  TierEntity,
  RuleEntity,
  CustomerEntity,
  LoyaltyAccountEntity,
  PointTransactionEntity,
  PointLotEntity,
  ActivityEntity,
  TierChangeEntity,
  OutboxEventEntity,
  EventEntity,
  EventRegistrationEntity,
  EventAttendanceEntity,
  RewardEntity,
  RedemptionEntity,
  RedemptionLotEntity,
  LocationEntity,
  CheckinEntity,
  AchievementEntity,
  CustomerAchievementEntity,
  ChallengeEntity,
  ChallengeParticipantEntity,
  AccessLevelEntity,
  ContentItemEntity,
];
