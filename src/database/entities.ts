import { IdempotencyKeyEntity } from '../common/idempotency/idempotency-key.entity';
import { PlatformAdminEntity } from '../modules/accounts/platform-admin.entity';
import { UserEntity } from '../modules/accounts/user.entity';
import { TenantEntity } from '../modules/tenants/tenant.entity';

/** Every entity, in one list: the data source and the schema drift check both read it. */
export const ENTITIES = [TenantEntity, IdempotencyKeyEntity, PlatformAdminEntity, UserEntity];
