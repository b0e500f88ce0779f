import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { NotFoundError } from '../../common/errors/domain-error';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { appendToOutbox } from '../../common/outbox/outbox';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { queryPrepared } from '../../database/prepared';
import { Statement } from '../../database/statements';
import { advisoryKey } from '../../database/tenant-transaction';
import { ActivitiesService } from '../loyalty/activities/activities.service';
import { CheckinPolicy, gpsTolerance, judgeCheckin } from './checkin-verdict';
import { CheckinDto, CheckinResultDto } from './dto/checkin.dto';
import { CHECKIN_SEARCH_BATCH, checkinFactsSql, pointFrom } from './location-sql';

interface FactsRow {
  customer_status: string | null;
  earns: boolean;
  location_id: string | null;
  location_name: string | null;
  distance_m: number | null;
  inside: boolean | null;
  seconds_since_last_here: number | null;
  verified_today: number;
  previous_distance_m: number | null;
  previous_seconds_ago: number | null;
  previous_accuracy_m: number | null;
  search_exhausted: boolean | null;
}

/**
 * Check-ins, verified on the server: the geometry by PostGIS, the rules by judgeCheckin. Every
 * attempt is stored with its verdict; a verified one records a check_in activity (which fires the
 * check_in rules and earns) and a checkin.verified event, all in the request's one transaction.
 */
@Injectable()
export class CheckinsService {
  private readonly policy: CheckinPolicy;

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly activities: ActivitiesService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = {
      maxAccuracyM: config.CHECKIN_MAX_ACCURACY_M,
      cooldownMinutes: config.CHECKIN_COOLDOWN_MINUTES,
      maxPerDay: config.CHECKIN_MAX_PER_DAY,
      maxSpeedKmh: config.CHECKIN_MAX_SPEED_KMH,
    };
  }

  checkIn(request: IdempotentRequest, input: CheckinDto): Promise<IdempotentOutcome<CheckinResultDto>> {
    const { actor } = request;
    // One customer's check-ins are judged one after another (the lock is taken as the transaction
    // opens, before anything is read), so two sent at once cannot both pass the cooldown or the
    // daily limit. JIT compilation, which PostgreSQL may pick for the geometry statements, costs
    // more than these millisecond queries ever take. The facts statement is prepared with one
    // generic plan per connection: planning it took 1.5 ms, three times as long as running it.
    const customerId = actor.kind === 'user' ? actor.userId : '';
    return this.idempotency.execute(request, 201, (manager) => this.verifyCheckIn(manager, actor, input), {
      advisoryLock: [advisoryKey(tenantIdOf(actor)), advisoryKey(`checkin:${customerId}`)],
      noJit: true,
      genericPlans: true,
    });
  }

  private async verifyCheckIn(manager: EntityManager, actor: Actor, input: CheckinDto): Promise<CheckinResultDto> {
    const tenantId = tenantIdOf(actor);
    const customerId = actor.kind === 'user' ? actor.userId : '';
    const now = new Date();
    const tolerance = gpsTolerance(input.accuracy_m, this.policy);
    const facts = await this.factsOf(manager, tenantId, customerId, input, tolerance, now);
    if (facts.customer_status !== 'active') throw new NotFoundError('Customer');

    const verdict = judgeCheckin(
      {
        accuracyM: input.accuracy_m,
        location: facts.location_id ? { inside: facts.inside === true } : null,
        secondsSinceLastHere: facts.seconds_since_last_here,
        verifiedToday: facts.verified_today,
        previous:
          facts.previous_distance_m === null
            ? null
            : {
                distanceM: facts.previous_distance_m,
                secondsAgo: facts.previous_seconds_ago ?? 0,
                accuracyM: facts.previous_accuracy_m,
              },
      },
      this.policy,
    );

    const checkinId = randomUUID();
    const checkinRow = (earned: { activityId: string; points: number } | null): Statement => ({
      sql: `INSERT INTO checkins (tenant_id, id, customer_id, location_id, position, accuracy_m, distance_m, device,
                                  verified, reasons, activity_id, points_awarded, occurred_at)
            VALUES ($1, $2, $5, $6, ${pointFrom('$3::float8', '$4::float8')}, $7, $8, $9, $10, $11, $12, $13, $14)`,
      values: [
        tenantId,
        checkinId,
        input.lon,
        input.lat,
        customerId,
        facts.location_id,
        input.accuracy_m ?? null,
        facts.distance_m,
        JSON.stringify(input.device ?? {}),
        verdict.verified,
        verdict.reasons,
        earned?.activityId ?? null,
        earned?.points ?? 0,
        now,
      ],
    });
    let earned: { activityId: string; points: number } | null = null;
    if (verdict.verified && facts.earns) {
      // The check-in row is written in the statement that writes the activity and its points.
      const result = await this.activities.recordWithin(
        manager,
        actor,
        {
          type: 'check_in',
          customer_id: customerId,
          location_id: facts.location_id!,
          channel: 'app',
          attributes: { checkin_id: checkinId },
        },
        now,
        { alongside: checkinRow },
      );
      earned = { activityId: result.activity_id!, points: result.points_awarded };
    } else {
      const row = checkinRow(null);
      await manager.query(row.sql, row.values);
    }
    if (verdict.verified) {
      await appendToOutbox(manager, tenantId, [
        {
          type: 'checkin.verified',
          aggregateType: 'customer',
          aggregateId: customerId,
          payload: {
            checkin_id: checkinId,
            customer_id: customerId,
            location_id: facts.location_id,
            activity_id: earned?.activityId ?? null,
            points_awarded: earned?.points ?? 0,
            occurred_at: now.toISOString(),
          },
        },
      ]);
    }

    return {
      checkin_id: checkinId,
      verified: verdict.verified,
      reasons: verdict.reasons,
      location: facts.location_id
        ? { id: facts.location_id, name: facts.location_name!, distance_m: Math.round(facts.distance_m! * 10) / 10 }
        : null,
      points_awarded: earned?.points ?? 0,
      occurred_at: now.toISOString(),
    };
  }

  /** The facts, with a larger search batch whenever the last one may have stopped short (see checkinFactsSql). */
  private async factsOf(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
    input: CheckinDto,
    tolerance: number,
    now: Date,
  ): Promise<FactsRow> {
    for (let batch = CHECKIN_SEARCH_BATCH; ; batch *= 16) {
      const [facts] = await queryPrepared<FactsRow>(manager, checkinFactsSql(batch), [
        tenantId,
        customerId,
        input.lon,
        input.lat,
        input.location_id ?? null,
        tolerance,
        now,
        this.policy.cooldownMinutes,
      ]);
      if (facts.search_exhausted !== true) return facts;
    }
  }
}
