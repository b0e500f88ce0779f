import {
  attendanceRefusal,
  effectiveEnd,
  EventTimes,
  hasEnded,
  registrationRefusal,
  seatIsFree,
  seatsLeft,
} from './event-schedule';

const at = (iso: string) => new Date(iso);
const evening: EventTimes = {
  status: 'scheduled',
  eventDate: at('2030-05-01T18:00:00Z'),
  endsAt: at('2030-05-01T20:00:00Z'),
};

describe('event schedule', () => {
  it('takes an event without an end to last three hours', () => {
    expect(effectiveEnd({ eventDate: at('2030-05-01T18:00:00Z'), endsAt: null }).toISOString()).toBe(
      '2030-05-01T21:00:00.000Z',
    );
    expect(hasEnded(evening, at('2030-05-01T19:59:59Z'))).toBe(false);
    expect(hasEnded(evening, at('2030-05-01T20:00:00Z'))).toBe(true);
  });

  it('opens registration until the end, never for a cancelled event', () => {
    expect(registrationRefusal(evening, at('2030-04-01T00:00:00Z'))).toBeNull();
    expect(registrationRefusal(evening, at('2030-05-01T19:00:00Z'))).toBeNull();
    expect(registrationRefusal(evening, at('2030-05-01T20:00:00Z'))).toBe('event_past');
    expect(registrationRefusal({ ...evening, status: 'cancelled' }, at('2030-04-01T00:00:00Z'))).toBe(
      'event_cancelled',
    );
  });

  it('takes QR attendance from an hour before the start to two hours after the end', () => {
    expect(attendanceRefusal(evening, 'qr_code', at('2030-05-01T16:59:59Z'))).toBe('event_not_started');
    expect(attendanceRefusal(evening, 'qr_code', at('2030-05-01T17:00:00Z'))).toBeNull();
    expect(attendanceRefusal(evening, 'qr_code', at('2030-05-01T21:59:59Z'))).toBeNull();
    expect(attendanceRefusal(evening, 'qr_code', at('2030-05-01T22:00:00Z'))).toBe('event_past');
  });

  it('lets staff record attendance by hand for a week after the end', () => {
    expect(attendanceRefusal(evening, 'manual', at('2030-05-08T19:59:59Z'))).toBeNull();
    expect(attendanceRefusal(evening, 'manual', at('2030-05-08T20:00:00Z'))).toBe('event_past');
  });

  it('refuses attendance at a cancelled event whenever it is', () => {
    expect(attendanceRefusal({ ...evening, status: 'cancelled' }, 'qr_code', at('2030-05-01T18:30:00Z'))).toBe(
      'event_cancelled',
    );
    expect(attendanceRefusal({ ...evening, status: 'cancelled' }, 'manual', at('2030-05-01T18:30:00Z'))).toBe(
      'event_cancelled',
    );
  });

  it('counts seats against the capacity; no capacity means no limit', () => {
    expect(seatIsFree(10, 9)).toBe(true);
    expect(seatIsFree(10, 10)).toBe(false);
    expect(seatIsFree(null, 1_000_000)).toBe(true);
    expect(seatsLeft(10, 4)).toBe(6);
    expect(seatsLeft(10, 12)).toBe(0);
    expect(seatsLeft(null, 4)).toBeNull();
  });
});
