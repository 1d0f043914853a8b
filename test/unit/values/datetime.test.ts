import { describe, expect, it } from 'vitest';
import { formatIsoLocal, parseDateTime } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8: libslurm's parse_time() with time() pinned to
// 2026-11-28 17:23:19 (same wall clock as `now` here), 5,000 random strings compared (only the
// undefined-behaviour "… now" case differs, see below), and `sbatch --begin/--deadline` for the messages.
// Local time zone throughout, so these hold in any TZ.
const now = new Date(2026, 10, 28, 17, 23, 19);
const at = (text: string): string => {
  const r = parseDateTime(text, now);
  return r.ok ? formatIsoLocal(r.value) : `ERR ${r.error.message}`;
};

describe('parseDateTime', () => {
  it.each([
    ['now', '2026-11-28T17:23:19'],
    ['NOW', '2026-11-28T17:23:19'],
    ['now+1hour', '2026-11-28T18:23:19'],
    ['NOW+1HOUR', '2026-11-28T18:23:19'],
    ['now+60', '2026-11-28T17:24:19'],
    ['now-5minutes', '2026-11-28T17:18:19'],
    ['now + 2 days', '2026-11-30T17:23:19'],
    ['now+1week', '2026-12-05T17:23:19'],
    ['now+1weeks', '2026-12-05T17:23:19'],
    ['now+1 seconds', '2026-11-28T17:23:20'],
    ['now-1', '2026-11-28T17:23:18'],
    [' now', '2026-11-28T17:23:19'],
    ['now ', '2026-11-28T17:23:19'],
    ['today', '2026-11-28T00:00:00'],
    ['tomorrow', '2026-11-29T00:00:00'],
    ['midnight', '2026-11-29T00:00:00'],
    ['noon', '2026-11-29T12:00:00'],
    ['fika', '2026-11-29T15:00:00'],
    ['teatime', '2026-11-29T16:00:00'],
    ['16:00', '2026-11-29T16:00:00'],
    ['18:00', '2026-11-28T18:00:00'],
    ['17:23', '2026-11-29T17:23:00'],
    ['17:24', '2026-11-28T17:24:00'],
    ['17:23:20', '2026-11-29T17:23:20'], // seconds are not compared
    ['4:00pm', '2026-11-29T16:00:00'],
    ['4:00 PM', '2026-11-29T16:00:00'],
    ['12:00am', '2026-11-29T00:00:00'],
    ['12:00pm', '2026-11-29T12:00:00'],
    ['1:30am', '2026-11-29T01:30:00'],
    ['10:00:00am', '2026-11-29T10:00:00'],
    ['1:05', '2026-11-29T01:05:00'],
    ['12/25', '2026-12-25T00:00:00'],
    ['12/25/27', '2027-12-25T00:00:00'],
    ['12.25.27', '2027-12-25T00:00:00'],
    ['1225', '2026-12-25T00:00:00'],
    ['122527', '2027-12-25T00:00:00'],
    ['12/25/', '2026-12-25T00:00:00'],
    ['1/1', '2027-01-01T00:00:00'],
    ['1128', '2027-11-28T00:00:00'], // today's date without a time is already past
    ['11/28', '2027-11-28T00:00:00'],
    ['1129', '2026-11-29T00:00:00'],
    ['11/31', '2026-12-01T00:00:00'], // mktime() normalises
    ['02/30', '2027-03-02T00:00:00'],
    ['2/29/28', '2028-02-29T00:00:00'],
    ['2030-01-20', '2030-01-20T00:00:00'],
    ['2026-11-28', '2026-11-28T00:00:00'],
    ['2030-01-20T10:30', '2030-01-20T10:30:00'],
    ['2030-01-20T10:30:15', '2030-01-20T10:30:15'],
    ['2030-01-20 10:30', '2030-01-20T10:30:00'],
    ['2030-01-20T10:30:15pm', '2030-01-20T22:30:15'],
    ['12/25-10:30', '2026-12-25T10:30:00'],
    ['12/25/27-10:30:15', '2027-12-25T10:30:15'],
    ['tomorrow 10:00', '2026-11-29T10:00:00'],
    ['10:00 tomorrow', '2026-11-29T10:00:00'],
    ['today-10:00', '2026-11-28T10:00:00'],
    ['noon tomorrow', '2026-11-29T12:00:00'],
    ['now\ngarbage', '2026-11-28T17:23:19'], // parse_time() stops at a newline
  ])('%j → %s', (text, expected) => expect(at(text)).toBe(expected));

  it('uts<epoch>', () => {
    expect(parseDateTime('uts1234567', now)).toEqual({ ok: true, value: 1234567 });
    expect(parseDateTime('UTS2000000000', now)).toEqual({ ok: true, value: 2000000000 });
  });

  it('past flag (sacct): times today, dates without a year not in the future', () => {
    const r = parseDateTime('16:00', now, { past: true });
    expect(r.ok && formatIsoLocal(r.value)).toBe('2026-11-28T16:00:00');
    const d = parseDateTime('12/25', now, { past: true });
    expect(d.ok && formatIsoLocal(d.value)).toBe('2025-12-25T00:00:00');
  });

  // sbatch prints `message` as is (no prefix) then `sbatch: error: Invalid --begin specification`
  // (or --deadline), exit 255.
  it.each([
    ['now+1h', 4],
    ['now+2days3', 10],
    ['now+', 3],
    ['now+hours', 3],
    ['now+1secondsx', 12],
    ['now+3hours+1', 10],
    ['nowx', 3],
    ['now now', 4],
    ['now--1', 3],
    ['now+-1', 3],
    ['elevenses', 0], // 24.x only
    ['13:00pm', 5],
    ['13:00am', 5],
    ['24:00', 0],
    ['23:60', 3],
    ['1:5', 3],
    ['2030-1-2', 0],
    ['garbage', 0],
    ['13/01', 0],
    ['00/01', 0],
    ['0/5', -1],
    ['2030-13-01', 5],
    ['2030-00-01', 5],
    ['2030-01-32', 8],
    ['uts123', 0],
    ['uts1234567x', 0],
    ['11-28', 2],
    ['5', 1],
    ['55', 0],
    ['5555555', 0],
    ['12/25/2', 7],
    ['2030-01-20X', 10],
    ['2030-01-20T25:00', 11],
    ['2030-01-20T10', 13],
    ['1:30 p', 5],
    ['Today', 1], // an uppercase T is a separator, tried before the keywords
    ['tomorrow now+1hour', 21],
  ])('%j fails with pos=%i', (text, pos) => {
    const r = parseDateTime(text, now);
    expect(r).toMatchObject({ ok: false, error: { message: `Invalid time specification (pos=${pos}): ${text}` } });
  });

  // parse_time() returns 0 without a message: sbatch prints only `Invalid --begin specification` (exit 255)
  it.each(['', '   ', 'T', '-', 'T--T'])('%j is rejected silently', (text) => {
    const r = parseDateTime(text, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.silent).toBe(true);
  });
});

describe('formatIsoLocal', () => {
  it('is %FT%T in local time', () => {
    expect(formatIsoLocal(new Date(2030, 0, 2, 3, 4, 5).getTime() / 1000)).toBe('2030-01-02T03:04:05');
  });
});
