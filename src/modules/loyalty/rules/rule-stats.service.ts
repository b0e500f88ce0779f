import { Injectable } from '@nestjs/common';
import { checkWindowDates, resolveWindow } from '../../../common/date-window';
import { NotFoundError } from '../../../common/errors/domain-error';
import { isUuid } from '../../../common/ids';
import { TenantDatabase } from '../../../database/tenant-database.service';
import { DEFAULT_SETTINGS } from '../../tenants/tenant-settings';
import { RULE_STATS_DEFAULT_DAYS, RULE_STATS_MAX_DAYS, RuleStatsDto, RuleStatsQueryDto } from './dto/rule-stats.dto';

interface StatsRow {
  /** null on the row of the whole window (the empty grouping set). */
  date: string | null;
  times_fired: number;
  customers: number;
  points: string;
  points_reversed: string;
}

/**
 * The rule's ledger rows of activities in the window, per local day and (the row whose date is
 * null) for the whole window. Parameters: tenant, rule, time zone, first day, last day.
 *
 * Read through point_transactions_rule_idx. A ledger row is written when its activity is
 * recorded, and an activity is never recorded more than minutes ahead of its occurred_at (the
 * activities API refuses the future), so no row of the window was written before its first day:
 * the bound on created_at (a day early, for clock skew) is what lets the index skip the rule's
 * older history.
 */
export const RULE_STATS_SQL = `
  SELECT date,
         count(*) FILTER (WHERE type = 'earn')::int AS times_fired,
         count(DISTINCT account_id) FILTER (WHERE type = 'earn')::int AS customers,
         COALESCE(sum(points) FILTER (WHERE type = 'earn'), 0)::bigint AS points,
         COALESCE(-sum(points) FILTER (WHERE type = 'reverse'), 0)::bigint AS points_reversed
    FROM (SELECT to_char(a.occurred_at AT TIME ZONE $3, 'YYYY-MM-DD') AS date, t.type, t.account_id, t.points
            FROM point_transactions t
            JOIN activities a ON a.tenant_id = t.tenant_id AND a.id = t.activity_id
           WHERE t.tenant_id = $1 AND t.rule_id = $2 AND t.type IN ('earn', 'reverse')
             AND t.created_at >= ($4::date)::timestamp AT TIME ZONE $3 - interval '1 day'
             AND a.occurred_at >= ($4::date)::timestamp AT TIME ZONE $3
             AND a.occurred_at < ($5::date + 1)::timestamp AT TIME ZONE $3) ledger
   GROUP BY GROUPING SETS ((date), ())
   ORDER BY date NULLS FIRST`;

/**
 * How a rule performs, counted on read from the ledger: its `earn` rows (one per activity it
 * fired on) and the `reverse` rows refunds wrote against it, by the local day of their activity
 * (the purchase, the refund) in the tenant's time zone. rules.points_awarded cannot serve: it
 * counts for budgeted rules only.
 */
@Injectable()
export class RuleStatsService {
  constructor(private readonly database: TenantDatabase) {}

  stats(tenantId: string, ruleId: string, query: RuleStatsQueryDto): Promise<RuleStatsDto> {
    if (!isUuid(ruleId)) throw new NotFoundError('Rule', ruleId);
    checkWindowDates(query);

    return this.database.run(
      tenantId,
      async (manager) => {
        const [rule] = (await manager.query(
          `SELECT r.id, COALESCE(t.settings #>> '{loyalty,time_zone}', $3) AS time_zone,
                  to_char((now() AT TIME ZONE COALESCE(t.settings #>> '{loyalty,time_zone}', $3))::date, 'YYYY-MM-DD')
                    AS today
             FROM rules r JOIN tenants t ON t.id = r.tenant_id
            WHERE r.tenant_id = $1 AND r.id = $2`,
          [tenantId, ruleId, DEFAULT_SETTINGS.loyalty.time_zone],
        )) as Array<{ id: string; time_zone: string; today: string }>;
        if (!rule) throw new NotFoundError('Rule', ruleId);

        const { from, to } = resolveWindow(query, rule.today, {
          defaultDays: RULE_STATS_DEFAULT_DAYS,
          maxDays: RULE_STATS_MAX_DAYS,
        });

        const rows = (await manager.query(RULE_STATS_SQL, [tenantId, rule.id, rule.time_zone, from, to])) as StatsRow[];

        // The empty grouping set always yields its row, first; the days follow.
        const [window, ...days] = rows;
        const pointsAwarded = Number(window.points);
        const pointsReversed = Number(window.points_reversed);
        return {
          rule_id: rule.id,
          from,
          to,
          time_zone: rule.time_zone,
          times_fired: window.times_fired,
          customers: window.customers,
          points_awarded: pointsAwarded,
          points_reversed: pointsReversed,
          net_points: pointsAwarded - pointsReversed,
          by_day: days.map((day) => ({
            date: day.date!,
            times_fired: day.times_fired,
            points: Number(day.points),
            points_reversed: Number(day.points_reversed),
          })),
        };
      },
      // A year of a busy rule is a million rows: compiling the aggregate costs more than it saves.
      { noJit: true },
    );
  }
}
