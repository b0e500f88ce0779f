import { expiryFor, localMidnight } from './expiry-policy';

describe('expiryFor', () => {
  const earned = new Date('2026-03-15T10:00:00Z');

  it('never expires under the never policy', () => {
    expect(expiryFor({ type: 'never' }, earned, 'UTC')).toBeNull();
  });

  it('adds whole days', () => {
    expect(expiryFor({ type: 'days_after_earn', days: 30 }, earned, 'UTC')).toEqual(new Date('2026-04-14T10:00:00Z'));
  });

  it('runs to the end of the Nth month in the tenant time zone', () => {
    expect(expiryFor({ type: 'end_of_nth_month', months: 0 }, earned, 'UTC')).toEqual(new Date('2026-04-01T00:00:00Z'));
    expect(expiryFor({ type: 'end_of_nth_month', months: 12 }, earned, 'UTC')).toEqual(
      new Date('2027-04-01T00:00:00Z'),
    );
    // Midnight of 1 April 2027 in Sydney (UTC+11 in April before DST ends on the 4th).
    expect(expiryFor({ type: 'end_of_nth_month', months: 12 }, earned, 'Australia/Sydney')).toEqual(
      new Date('2027-03-31T13:00:00Z'),
    );
  });

  it('reads the month of earning on the local wall clock', () => {
    // 31 Jan 23:30 in New York is already February in UTC.
    const lateJanuary = new Date('2026-02-01T04:30:00Z');
    expect(expiryFor({ type: 'end_of_nth_month', months: 0 }, lateJanuary, 'America/New_York')).toEqual(
      new Date('2026-02-01T05:00:00Z'),
    );
  });

  it('finds local midnight across a DST change', () => {
    expect(localMidnight(2026, 2, 29, 'Europe/London')).toEqual(new Date('2026-03-29T00:00:00Z'));
    expect(localMidnight(2026, 2, 30, 'Europe/London')).toEqual(new Date('2026-03-29T23:00:00Z'));
    expect(localMidnight(2026, 12, 1, 'UTC')).toEqual(new Date('2027-01-01T00:00:00Z'));
  });
});
