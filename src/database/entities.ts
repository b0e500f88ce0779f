import { IdempotencyKeyEntity } from '../common/idempotency/idempotency-key.entity';
import { TenantEntity } from '../modules/tenants/tenant.entity';

/** Every entity, in one list: the data source and the schema drift check both read it. */
export const ENTITIES = [TenantEntity, IdempotencyKeyEntity];
