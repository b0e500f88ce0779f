import type { AreaGeometry, Position } from '../../src/modules/locations/geojson';

/**
 * What the demo tenant holds, as data: `seed-demo.ts` adds whatever of it is missing. Each item
 * has a natural key (a tier's or reward's name, a location's external_id, a user's e-mail) by
 * which a later run knows it is there. Times are relative to the first run; tiers, locations and
 * events are referred to by those keys.
 */

export const DEMO_TENANT = { slug: 'demo', name: 'Demo Coffee Co.', plan: 'growth' } as const;

export const DEMO_OWNER = { email: 'owner@demo.beacon.local', firstName: 'Demo', lastName: 'Owner' } as const;

export const DEMO_PROGRAM = {
  name: 'Demo Coffee Rewards',
  pointName: 'beans',
  earnPolicy: { rounding: 'floor', max_points_per_activity: 0 },
  expiryPolicy: { type: 'end_of_nth_month', months: 12 },
} as const;

export interface DemoTier {
  name: string;
  rank: number;
  threshold: number;
  benefits: { earn_multiplier: number };
}

export const DEMO_TIERS: readonly DemoTier[] = [
  { name: 'Bronze', rank: 0, threshold: 0, benefits: { earn_multiplier: 1 } },
  { name: 'Silver', rank: 1, threshold: 500, benefits: { earn_multiplier: 1.25 } },
  { name: 'Gold', rank: 2, threshold: 2000, benefits: { earn_multiplier: 1.5 } },
];

const NO_CAPS = { day: 0, week: 0, month: 0, lifetime: 0 };

/** Rules in the shape POST /api/admin/rules takes (validated by validateRuleDefinition). */
export const DEMO_RULES: readonly Record<string, unknown>[] = [
  {
    name: '1 bean per 1.00 spent',
    rule_type: 'purchase',
    priority: 10,
    effect: { type: 'points_per_unit', points: 1, per: 100 },
    caps: { per_customer: NO_CAPS, budget_points: 0 },
  },
  {
    name: 'Welcome bonus',
    rule_type: 'signup',
    priority: 10,
    effect: { type: 'fixed', points: 100 },
    caps: { per_customer: { ...NO_CAPS, lifetime: 100 }, budget_points: 0 },
  },
  {
    name: 'Check-in at a Demo Coffee shop',
    rule_type: 'check_in',
    priority: 10,
    effect: { type: 'fixed', points: 10 },
    // One paid check-in a day.
    caps: { per_customer: { ...NO_CAPS, day: 10 }, budget_points: 0 },
  },
  {
    name: 'Community event attendance',
    rule_type: 'event_attendance',
    priority: 10,
    effect: { type: 'fixed', points: 50 },
    caps: { per_customer: NO_CAPS, budget_points: 0 },
  },
];

export interface DemoLocation {
  externalId: string;
  name: string;
  address: string;
  coordinates: Position;
  /** Exactly one of the two geofences. */
  radiusM?: number;
  geofence?: AreaGeometry;
}

export const DEMO_LOCATIONS: readonly DemoLocation[] = [
  {
    externalId: 'demo-shoreditch-roastery',
    name: 'Demo Coffee Roastery, Shoreditch',
    address: '12 Rivington Street, London EC2A 3DU',
    coordinates: [-0.0795, 51.5262],
    radiusM: 75,
  },
  {
    externalId: 'demo-borough-market',
    name: 'Demo Coffee stall, Borough Market',
    address: '8 Southwark Street, London SE1 1TL',
    coordinates: [-0.0906, 51.5055],
    geofence: {
      type: 'Polygon',
      coordinates: [
        [
          [-0.0918, 51.5049],
          [-0.0893, 51.5049],
          [-0.0893, 51.5062],
          [-0.0918, 51.5062],
          [-0.0918, 51.5049],
        ],
      ],
    },
  },
];

export interface DemoReward {
  name: string;
  description: string;
  category: string;
  pointCost: number;
  /** Null: unlimited stock. */
  quantityAvailable: number | null;
  minTier?: string;
  perCustomerLimit?: number;
  /** External ids of the locations where it may be redeemed; none: anywhere. */
  locations?: readonly string[];
  voucherValidDays?: number;
}

export const DEMO_REWARDS: readonly DemoReward[] = [
  {
    name: 'Free filter coffee',
    description: 'Any size of our filter coffee of the day.',
    category: 'drinks',
    pointCost: 150,
    quantityAvailable: null,
    voucherValidDays: 30,
  },
  {
    name: 'Pastry of your choice',
    description: 'A croissant, cinnamon bun or anything else from the counter.',
    category: 'food',
    pointCost: 200,
    quantityAvailable: 100,
    voucherValidDays: 14,
  },
  {
    name: 'Market tasting flight',
    description: 'Three single origins side by side, at the Borough Market stall only.',
    category: 'experiences',
    pointCost: 300,
    quantityAvailable: 40,
    locations: ['demo-borough-market'],
  },
  {
    name: 'Reusable Demo Coffee cup',
    description: 'Our insulated 12 oz cup, for Silver members and up.',
    category: 'merchandise',
    pointCost: 500,
    quantityAvailable: 25,
    minTier: 'Silver',
    perCustomerLimit: 1,
  },
  {
    name: 'Roastery tour for two',
    description: 'A private tour and cupping with our head roaster, for Gold members.',
    category: 'experiences',
    pointCost: 1500,
    quantityAvailable: 10,
    minTier: 'Gold',
    perCustomerLimit: 1,
    locations: ['demo-shoreditch-roastery'],
  },
];

export interface DemoEvent {
  name: string;
  description: string;
  eventType: string;
  /** Start, in hours from the first run (negative: already started or past). */
  startsInHours: number;
  durationHours: number;
  /** External id of the location; or `place` for an event held elsewhere. */
  location?: string;
  place?: string;
  maxAttendees?: number;
  registrationUrl?: string;
  geofenceRequired?: boolean;
}

export const DEMO_EVENTS: readonly DemoEvent[] = [
  {
    name: 'Cupping season at the market',
    description: 'A month of open cuppings at the stall: check in with the QR code shown at the counter.',
    eventType: 'social',
    // Under way for a month from the first run, so QR check-in can be tried at once.
    startsInHours: -1,
    durationHours: 30 * 24,
    location: 'demo-borough-market',
  },
  {
    name: 'Latte art workshop',
    description: 'Pour your first rosetta with our baristas. Twelve seats.',
    eventType: 'workshop',
    startsInHours: 7 * 24,
    durationHours: 2,
    location: 'demo-shoreditch-roastery',
    maxAttendees: 12,
    geofenceRequired: true,
  },
  {
    name: 'Online brewing masterclass',
    description: 'Pour-over, AeroPress and French press, live from the roastery.',
    eventType: 'online',
    startsInHours: 14 * 24,
    durationHours: 1,
    place: 'Online',
    registrationUrl: 'https://example.com/demo-coffee/masterclass',
  },
  {
    name: 'Canal clean-up with the regulars',
    description: 'We cleaned the Regent’s Canal towpath together, then had coffee on us.',
    eventType: 'volunteering',
    startsInHours: -10 * 24,
    durationHours: 3,
    place: 'Regent’s Canal, Haggerston',
  },
];

export interface DemoAchievement {
  name: string;
  description: string;
  points: number;
  /** Criteria as POST /api/admin/achievements takes them; `tier` fills a tier_reached criteria's tier_id. */
  criteria: Record<string, unknown>;
  tier?: string;
}

export const DEMO_ACHIEVEMENTS: readonly DemoAchievement[] = [
  {
    name: 'First sip',
    description: 'Your first purchase.',
    points: 10,
    criteria: { type: 'activity_count', activity_type: 'purchase', count: 1 },
  },
  {
    name: 'Regular',
    description: 'Check in three days in a row.',
    points: 30,
    criteria: { type: 'streak', activity_type: 'check_in', unit: 'day', count: 3 },
  },
  {
    name: 'Explorer',
    description: 'Check in at both of our shops.',
    points: 25,
    criteria: { type: 'distinct_locations', count: 2 },
  },
  {
    name: 'Community spirit',
    description: 'Attend a community event.',
    points: 20,
    criteria: { type: 'events_attended', count: 1 },
  },
  {
    name: 'Bean counter',
    description: 'Earn 1,000 beans in all.',
    points: 50,
    criteria: { type: 'points_total', points: 1000 },
  },
  {
    name: 'Silver status',
    description: 'Reach the Silver tier.',
    points: 0,
    criteria: { type: 'tier_reached' },
    tier: 'Silver',
  },
];

export interface DemoChallenge {
  name: string;
  description: string;
  kind: 'personal' | 'community';
  goal: Record<string, unknown>;
  joinMode: 'explicit' | 'automatic';
  points: number;
  /** Window, in days from the first run. */
  startsInDays: number;
  endsInDays: number;
}

export const DEMO_CHALLENGES: readonly DemoChallenge[] = [
  {
    name: 'Five coffees this month',
    description: 'Buy five coffees before the month is out.',
    kind: 'personal',
    goal: { type: 'activity_count', activity_type: 'purchase', count: 5 },
    joinMode: 'explicit',
    points: 100,
    startsInDays: -1,
    endsInDays: 30,
  },
  {
    name: 'Visit both shops',
    description: 'Check in at the roastery and at the market stall.',
    kind: 'personal',
    goal: { type: 'activity_count', activity_type: 'check_in', count: 2 },
    joinMode: 'explicit',
    points: 30,
    startsInDays: -1,
    endsInDays: 60,
  },
  {
    name: '10,000 beans together',
    description: 'Every bean any of us earns counts towards the community goal.',
    kind: 'community',
    goal: { type: 'points_earned', points: 10_000 },
    joinMode: 'automatic',
    points: 50,
    startsInDays: -1,
    endsInDays: 60,
  },
];

/** Levels of access to exclusive content, each held from a tier up. */
export const DEMO_ACCESS_LEVELS: readonly { name: string; description: string; tier: string }[] = [
  { name: 'Silver circle', description: 'Silver members and up.', tier: 'Silver' },
];

export interface DemoContent {
  title: string;
  body: string;
  /** Access level required; none: every customer. */
  level?: string;
}

export const DEMO_CONTENT: readonly DemoContent[] = [
  {
    title: 'Brewing guide: the perfect V60',
    body: '15 g of coffee, 250 g of water at 94 °C, a 40 g bloom for 30 seconds, then slow circles until 2:30.',
  },
  {
    title: 'Roaster’s notes: next month’s single origin',
    body: 'A washed Ethiopian from Guji: bergamot, peach and black tea. Silver circle members taste it first.',
    level: 'Silver circle',
  },
];

export interface DemoCustomer {
  email: string;
  externalId: string;
  firstName: string;
  lastName: string;
  /** Points earned, oldest first, written through the ledger as earned that many days before the run. */
  earned: readonly { daysAgo: number; points: number; reason: string }[];
  /** Names of events they registered for. */
  registrations: readonly string[];
}

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    email: 'alice@demo.beacon.local',
    externalId: 'demo-alice',
    firstName: 'Alice',
    lastName: 'Rivera',
    earned: [
      { daysAgo: 60, points: 100, reason: 'Welcome bonus (demo history)' },
      { daysAgo: 41, points: 240, reason: 'Coffee and pastries (demo history)' },
      { daysAgo: 18, points: 310, reason: 'Beans for home (demo history)' },
      { daysAgo: 3, points: 75, reason: 'Coffee and pastries (demo history)' },
    ],
    registrations: ['Latte art workshop', 'Online brewing masterclass'],
  },
  {
    email: 'ben@demo.beacon.local',
    externalId: 'demo-ben',
    firstName: 'Ben',
    lastName: 'Okafor',
    earned: [
      { daysAgo: 9, points: 100, reason: 'Welcome bonus (demo history)' },
      { daysAgo: 2, points: 85, reason: 'Coffee and pastries (demo history)' },
    ],
    registrations: ['Latte art workshop'],
  },
];
