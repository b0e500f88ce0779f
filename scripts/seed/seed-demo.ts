import { DataSource, EntityManager } from 'typeorm';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { EMAIL_CONFLICT_TARGET } from '../../src/modules/accounts/user.entity';
import { parseCriteria } from '../../src/modules/gamification/achievement-criteria';
import { parseGoal } from '../../src/modules/gamification/challenge-goal';
import { draftLocation } from '../../src/modules/locations/location-input';
import { pointFrom } from '../../src/modules/locations/location-sql';
import { loadProgram, loadSettings } from '../../src/modules/loyalty/activities/earning-context';
import { expiryFor } from '../../src/modules/loyalty/ledger/expiry-policy';
import { credit, lockAccount } from '../../src/modules/loyalty/ledger/ledger';
import { validateRuleDefinition } from '../../src/modules/loyalty/rules/rule-definition';
import { insertRule } from '../../src/modules/loyalty/rules/rules.service';
import { loadTiers, upgradeIfEarned } from '../../src/modules/loyalty/tiers/tier-standing';
import {
  DEMO_ACCESS_LEVELS,
  DEMO_ACHIEVEMENTS,
  DEMO_CHALLENGES,
  DEMO_CONTENT,
  DEMO_CUSTOMERS,
  DEMO_EVENTS,
  DEMO_LOCATIONS,
  DEMO_OWNER,
  DEMO_PROGRAM,
  DEMO_REWARDS,
  DEMO_RULES,
  DEMO_TENANT,
  DEMO_TIERS,
  DemoCustomer,
} from './demo-content';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface DemoSeedOptions {
  /** The demo owner's and customers' password; without one they cannot sign in. */
  password?: string | null;
  /** The clock that relative demo times (events, challenges, points history) count from. */
  now?: Date;
}

/** How many of each kind the run added (all zero when the demo was already complete). */
export interface DemoSeedCounts {
  owner: number;
  program: number;
  tiers: number;
  rules: number;
  locations: number;
  rewards: number;
  events: number;
  achievements: number;
  challenges: number;
  accessLevels: number;
  contentItems: number;
  customers: number;
}

export interface DemoSeedResult {
  tenantId: string;
  slug: string;
  added: DemoSeedCounts;
}

/** One run's tenant transaction and what the steps share. */
interface Seeding {
  manager: EntityManager;
  tenantId: string;
  programId: string;
  now: Date;
  password: string | null;
}

/**
 * Demo data for local development: the `demo` tenant with its owner, program, tiers, rules,
 * locations, rewards, events, achievements, challenges, exclusive content and two customers with
 * points. Safe to run again: each item is added only when no row has its natural key yet, so a
 * second run adds nothing. An item deleted outright comes back; a reward, achievement or location
 * retired (soft-deleted) stays retired. All of it is one transaction: a failing run leaves nothing
 * half-written.
 */
export async function seedDemo(dataSource: DataSource, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const tenant = await ensureTenant(dataSource);
  const added = await runInTenant(dataSource, tenant.id, async (manager) => {
    const owner = await seedOwner(manager, tenant.id, options.password ?? null);
    const program = await seedProgram(manager, tenant.id);
    const seeding: Seeding = {
      manager,
      tenantId: tenant.id,
      programId: program.id,
      now: options.now ?? new Date(),
      password: options.password ?? null,
    };
    return {
      owner,
      program: program.created ? 1 : 0,
      tiers: await seedTiers(seeding),
      rules: await seedRules(seeding),
      locations: await seedLocations(seeding),
      rewards: await seedRewards(seeding),
      events: await seedEvents(seeding),
      achievements: await seedAchievements(seeding),
      challenges: await seedChallenges(seeding),
      accessLevels: await seedAccessLevels(seeding),
      contentItems: await seedContent(seeding),
      customers: await seedCustomers(seeding),
    };
  });
  return { tenantId: tenant.id, slug: tenant.slug, added };
}

async function ensureTenant(dataSource: DataSource): Promise<{ id: string; slug: string }> {
  const [tenant] = (await runWithoutTenant(dataSource, (manager) =>
    manager.query(
      `INSERT INTO tenants (slug, name, plan) VALUES ($1, $2, $3)
       ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id, slug`,
      [DEMO_TENANT.slug, DEMO_TENANT.name, DEMO_TENANT.plan],
    ),
  )) as Array<{ id: string; slug: string }>;
  return tenant;
}

/** A user of the tenant unless one holds the e-mail; returns the new user's id, or null. */
async function insertUser(
  manager: EntityManager,
  tenantId: string,
  user: { email: string; role: string; firstName: string; lastName: string },
  password: string | null,
): Promise<string | null> {
  const [existing] = (await manager.query(`SELECT 1 FROM users WHERE tenant_id = $1 AND email = $2`, [
    tenantId,
    user.email,
  ])) as unknown[];
  if (existing) return null;
  const [created] = (await manager.query(
    `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ${EMAIL_CONFLICT_TARGET} DO NOTHING RETURNING id`,
    [tenantId, user.email, password ? await hashPassword(password) : null, user.role, user.firstName, user.lastName],
  )) as Array<{ id: string }>;
  return created?.id ?? null;
}

async function seedOwner(manager: EntityManager, tenantId: string, password: string | null): Promise<number> {
  return (await insertUser(manager, tenantId, { ...DEMO_OWNER, role: 'owner' }, password)) ? 1 : 0;
}

async function seedProgram(manager: EntityManager, tenantId: string): Promise<{ id: string; created: boolean }> {
  const [existing] = (await manager.query(`SELECT id FROM programs WHERE tenant_id = $1 AND is_default`, [
    tenantId,
  ])) as Array<{ id: string }>;
  if (existing) return { id: existing.id, created: false };
  const [created] = (await manager.query(
    `INSERT INTO programs (tenant_id, name, point_name, is_default, earn_policy, expiry_policy)
     VALUES ($1, $2, $3, true, $4, $5) RETURNING id`,
    [
      tenantId,
      DEMO_PROGRAM.name,
      DEMO_PROGRAM.pointName,
      JSON.stringify(DEMO_PROGRAM.earnPolicy),
      JSON.stringify(DEMO_PROGRAM.expiryPolicy),
    ],
  )) as Array<{ id: string }>;
  return { id: created.id, created: true };
}

/** Ids by natural key: `sql` selects `key` and `id`. */
async function idsByKey(manager: EntityManager, sql: string, parameters: unknown[]): Promise<Map<string, string>> {
  const rows = (await manager.query(sql, parameters)) as Array<{ key: string; id: string }>;
  return new Map(rows.map((row) => [row.key, row.id]));
}

/** The items whose key no row has yet: `sql` selects the existing keys as `key`. */
async function missing<T>(
  manager: EntityManager,
  items: readonly T[],
  keyOf: (item: T) => string,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const rows = (await manager.query(sql, parameters)) as Array<{ key: string }>;
  const existing = new Set(rows.map((row) => row.key));
  return items.filter((item) => !existing.has(keyOf(item)));
}

function lookUp(ids: Map<string, string>, key: string, what: string): string {
  const id = ids.get(key);
  if (!id) throw new Error(`demo content names a ${what} "${key}" that does not exist`);
  return id;
}

/** Demo content is checked by the same validators as the API's input; a mistake in it stops the seed. */
function checked<T>(value: T | null | undefined, errors: Array<{ field: string; message: string }>, what: string): T {
  if (errors.length > 0 || value === null || value === undefined) {
    throw new Error(`demo ${what} is invalid: ${errors.map((error) => `${error.field} ${error.message}`).join('; ')}`);
  }
  return value;
}

const tierIds = (seeding: Seeding) =>
  idsByKey(seeding.manager, `SELECT name AS key, id FROM tiers WHERE tenant_id = $1 AND program_id = $2`, [
    seeding.tenantId,
    seeding.programId,
  ]);

const locationIds = (seeding: Seeding) =>
  idsByKey(
    seeding.manager,
    `SELECT external_id AS key, id FROM locations WHERE tenant_id = $1 AND external_id IS NOT NULL AND deleted_at IS NULL`,
    [seeding.tenantId],
  );

async function seedTiers({ manager, tenantId, programId }: Seeding): Promise<number> {
  let added = 0;
  for (const tier of DEMO_TIERS) {
    // Either key taken (the name, or the rank by a renamed tier) means the ladder already has it.
    const inserted = (await manager.query(
      `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, basis, benefits)
       VALUES ($1, $2, $3, $4, $5, 'lifetime', $6) ON CONFLICT DO NOTHING RETURNING id`,
      [tenantId, programId, tier.name, tier.rank, tier.threshold, JSON.stringify(tier.benefits)],
    )) as unknown[];
    added += inserted.length;
  }
  return added;
}

async function seedRules({ manager, tenantId, programId }: Seeding): Promise<number> {
  const rules = DEMO_RULES.map((input) => {
    const { value, errors } = validateRuleDefinition(input);
    return checked(value, errors, `rule "${String(input.name)}"`);
  });
  const toAdd = await missing(
    manager,
    rules,
    (rule) => rule.name,
    `SELECT name AS key FROM rules WHERE tenant_id = $1 AND program_id = $2`,
    [tenantId, programId],
  );
  for (const rule of toAdd) await insertRule(manager, tenantId, programId, rule);
  return toAdd.length;
}

async function seedLocations({ manager, tenantId }: Seeding): Promise<number> {
  const toAdd = await missing(
    manager,
    DEMO_LOCATIONS,
    (location) => location.externalId,
    `SELECT external_id AS key FROM locations WHERE tenant_id = $1 AND external_id IS NOT NULL`,
    [tenantId],
  );
  for (const location of toAdd) {
    const drafted = draftLocation({
      name: location.name,
      address: location.address,
      external_id: location.externalId,
      coordinates: { type: 'Point', coordinates: location.coordinates },
      radius_m: location.radiusM,
      geofence: location.geofence,
    });
    const draft = checked(drafted.ok ? drafted.draft : null, drafted.ok ? [] : drafted.problems, 'location');
    await manager.query(
      `INSERT INTO locations (tenant_id, name, address, external_id, position, radius_m, geofence)
       VALUES ($1, $2, $3, $4, ${pointFrom('$5::float8', '$6::float8')}, $7, ST_GeomFromGeoJSON($8::text)::geography)`,
      [
        tenantId,
        draft.name,
        draft.address,
        draft.externalId,
        location.coordinates[0],
        location.coordinates[1],
        draft.radiusM,
        draft.geofence ? JSON.stringify(draft.geofence) : null,
      ],
    );
  }
  return toAdd.length;
}

async function seedRewards(seeding: Seeding): Promise<number> {
  const { manager, tenantId, programId } = seeding;
  const toAdd = await missing(
    manager,
    DEMO_REWARDS,
    (reward) => reward.name,
    `SELECT name AS key FROM rewards WHERE tenant_id = $1 AND program_id = $2`,
    [tenantId, programId],
  );
  if (toAdd.length === 0) return 0;
  const [tiers, locations] = [await tierIds(seeding), await locationIds(seeding)];
  for (const reward of toAdd) {
    await manager.query(
      `INSERT INTO rewards (tenant_id, program_id, name, description, category, point_cost, quantity_available,
                            min_tier_id, per_customer_limit, location_ids, voucher_valid_days)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        tenantId,
        programId,
        reward.name,
        reward.description,
        reward.category,
        reward.pointCost,
        reward.quantityAvailable,
        reward.minTier ? lookUp(tiers, reward.minTier, 'tier') : null,
        reward.perCustomerLimit ?? null,
        (reward.locations ?? []).map((externalId) => lookUp(locations, externalId, 'location')),
        reward.voucherValidDays ?? null,
      ],
    );
  }
  return toAdd.length;
}

async function seedEvents(seeding: Seeding): Promise<number> {
  const { manager, tenantId, now } = seeding;
  const toAdd = await missing(
    manager,
    DEMO_EVENTS,
    (event) => event.name,
    `SELECT name AS key FROM events WHERE tenant_id = $1`,
    [tenantId],
  );
  if (toAdd.length === 0) return 0;
  const locations = await locationIds(seeding);
  for (const event of toAdd) {
    const startsAt = new Date(now.getTime() + event.startsInHours * HOUR_MS);
    await manager.query(
      `INSERT INTO events (tenant_id, name, description, event_type, event_date, ends_at, location_id, location,
                           max_attendees, registration_url, geofence_required)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        tenantId,
        event.name,
        event.description,
        event.eventType,
        startsAt,
        new Date(startsAt.getTime() + event.durationHours * HOUR_MS),
        event.location ? lookUp(locations, event.location, 'location') : null,
        event.place ?? null,
        event.maxAttendees ?? null,
        event.registrationUrl ?? null,
        event.geofenceRequired ?? false,
      ],
    );
  }
  return toAdd.length;
}

async function seedAchievements(seeding: Seeding): Promise<number> {
  const { manager, tenantId } = seeding;
  const toAdd = await missing(
    manager,
    DEMO_ACHIEVEMENTS,
    (achievement) => achievement.name,
    `SELECT name AS key FROM achievements WHERE tenant_id = $1`,
    [tenantId],
  );
  if (toAdd.length === 0) return 0;
  const tiers = await tierIds(seeding);
  for (const achievement of toAdd) {
    const input = achievement.tier
      ? { ...achievement.criteria, tier_id: lookUp(tiers, achievement.tier, 'tier') }
      : achievement.criteria;
    const { criteria, errors } = parseCriteria(input);
    await manager.query(
      `INSERT INTO achievements (tenant_id, name, description, criteria, points) VALUES ($1, $2, $3, $4, $5)`,
      [
        tenantId,
        achievement.name,
        achievement.description,
        JSON.stringify(checked(criteria, errors, `achievement "${achievement.name}"`)),
        achievement.points,
      ],
    );
  }
  return toAdd.length;
}

async function seedChallenges({ manager, tenantId, now }: Seeding): Promise<number> {
  const toAdd = await missing(
    manager,
    DEMO_CHALLENGES,
    (challenge) => challenge.name,
    `SELECT name AS key FROM challenges WHERE tenant_id = $1`,
    [tenantId],
  );
  for (const challenge of toAdd) {
    const { goal, errors } = parseGoal(challenge.goal);
    await manager.query(
      `INSERT INTO challenges (tenant_id, name, description, kind, goal, starts_at, ends_at, join_mode, points)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        tenantId,
        challenge.name,
        challenge.description,
        challenge.kind,
        JSON.stringify(checked(goal, errors, `challenge "${challenge.name}"`)),
        new Date(now.getTime() + challenge.startsInDays * DAY_MS),
        new Date(now.getTime() + challenge.endsInDays * DAY_MS),
        challenge.joinMode,
        challenge.points,
      ],
    );
  }
  return toAdd.length;
}

async function seedAccessLevels(seeding: Seeding): Promise<number> {
  const { manager, tenantId } = seeding;
  const toAdd = await missing(
    manager,
    DEMO_ACCESS_LEVELS,
    (level) => level.name,
    `SELECT name AS key FROM access_levels WHERE tenant_id = $1`,
    [tenantId],
  );
  if (toAdd.length === 0) return 0;
  const tiers = await tierIds(seeding);
  for (const level of toAdd) {
    await manager.query(`INSERT INTO access_levels (tenant_id, name, description, tier_id) VALUES ($1, $2, $3, $4)`, [
      tenantId,
      level.name,
      level.description,
      lookUp(tiers, level.tier, 'tier'),
    ]);
  }
  return toAdd.length;
}

async function seedContent({ manager, tenantId }: Seeding): Promise<number> {
  const toAdd = await missing(
    manager,
    DEMO_CONTENT,
    (item) => item.title,
    `SELECT title AS key FROM content_items WHERE tenant_id = $1`,
    [tenantId],
  );
  if (toAdd.length === 0) return 0;
  const levels = await idsByKey(manager, `SELECT name AS key, id FROM access_levels WHERE tenant_id = $1`, [tenantId]);
  for (const item of toAdd) {
    await manager.query(
      `INSERT INTO content_items (tenant_id, title, body, required_level_id) VALUES ($1, $2, $3, $4)`,
      [tenantId, item.title, item.body, item.level ? lookUp(levels, item.level, 'access level') : null],
    );
  }
  return toAdd.length;
}

/**
 * Customers who can sign in to the customer app (a customer user and its loyalty profile, one
 * id, as registration creates them), with points history. A customer is set up whole the run
 * that creates its user, so points are never given twice.
 */
async function seedCustomers(seeding: Seeding): Promise<number> {
  let added = 0;
  for (const customer of DEMO_CUSTOMERS) {
    const id = await insertUser(seeding.manager, seeding.tenantId, { ...customer, role: 'customer' }, seeding.password);
    if (!id) continue;
    await seeding.manager.query(
      `INSERT INTO customers (tenant_id, id, external_id, email, first_name, last_name) VALUES ($1, $2, $3, $4, $5, $6)`,
      [seeding.tenantId, id, customer.externalId, customer.email, customer.firstName, customer.lastName],
    );
    await creditHistory(seeding, id, customer);
    await registerForEvents(seeding, id, customer.registrations);
    added += 1;
  }
  return added;
}

/**
 * The customer's points through the ledger (a ledger row and a lot each, the account's totals),
 * each dated when it was earned and expiring by the program's policy from then; then the tier
 * those points reach, as earning does.
 */
async function creditHistory(
  { manager, tenantId, programId, now }: Seeding,
  customerId: string,
  customer: DemoCustomer,
): Promise<void> {
  const program = await loadProgram(manager, tenantId, programId);
  const timeZone = (await loadSettings(manager, tenantId)).loyalty.time_zone;
  const account = await lockAccount(manager, tenantId, customerId, programId);
  for (const entry of customer.earned) {
    const earnedAt = new Date(now.getTime() - entry.daysAgo * DAY_MS);
    await credit(manager, account, [{ type: 'earn', points: entry.points, reason: entry.reason, actor: 'seed' }], {
      now: earnedAt,
      availableAt: null,
      expiresAt: expiryFor(program.expiry, earnedAt, timeZone),
    });
  }
  await upgradeIfEarned(manager, account, await loadTiers(manager, tenantId, programId), now);
}

async function registerForEvents(seeding: Seeding, customerId: string, eventNames: readonly string[]): Promise<void> {
  const { manager, tenantId } = seeding;
  const events = await idsByKey(manager, `SELECT name AS key, id FROM events WHERE tenant_id = $1`, [tenantId]);
  for (const name of eventNames) {
    await manager.query(
      `INSERT INTO event_registrations (tenant_id, event_id, customer_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [tenantId, lookUp(events, name, 'event'), customerId],
    );
  }
}
