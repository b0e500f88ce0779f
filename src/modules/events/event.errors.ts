import { BusinessRuleError, ConflictError } from '../../common/errors/domain-error';
import { EventCodeRefusal } from './event-code';
import { ScheduleRefusal } from './event-schedule';

const SCHEDULE_MESSAGES: Record<ScheduleRefusal, string> = {
  event_cancelled: 'The event was cancelled.',
  event_past: 'The event is over.',
  event_not_started: 'Check-in for this event has not opened yet (it opens an hour before the start).',
};

export const scheduleRefused = (refusal: ScheduleRefusal): BusinessRuleError =>
  new BusinessRuleError(refusal, SCHEDULE_MESSAGES[refusal]);

export const eventFull = (): BusinessRuleError =>
  new BusinessRuleError('event_full', 'Every seat of this event is taken.');

export const alreadyRegistered = (): ConflictError =>
  new ConflictError('already_registered', 'You are already registered for this event.');

export const alreadyAttended = (): ConflictError =>
  new ConflictError('already_attended', 'Attendance at this event is already recorded for this customer.');

const CODE_MESSAGES: Record<EventCodeRefusal, string> = {
  malformed: 'This is not an event check-in code.',
  forged: 'This check-in code is not valid.',
  other_event: 'This check-in code belongs to another event.',
  not_yet_valid: 'This check-in code is not valid.',
  expired: 'This check-in code has expired; scan the code on screen again.',
};

export const eventCodeRefused = (reason: EventCodeRefusal): BusinessRuleError =>
  reason === 'expired'
    ? new BusinessRuleError('event_code_expired', CODE_MESSAGES.expired)
    : new BusinessRuleError('invalid_event_code', CODE_MESSAGES[reason]);
