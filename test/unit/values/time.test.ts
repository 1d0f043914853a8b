import { describe, expect, it } from 'vitest';
import { formatDuration, formatSqueueDuration, formatTimeLimit, parseTimeLimit } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8 (the oracle cluster on this machine):
// `sbatch --hold -t <value> --wrap=true` then `scontrol show job` TimeLimit=, and libslurm's
// time_str2mins() fed 5,000 random strings (no difference).
describe('parseTimeLimit', () => {
  it.each([
    ['0', 'UNLIMITED'],
    ['90', '01:30:00'],
    ['61', '01:01:00'],
    ['1:30', '00:02:00'], // 1 min 30 s rounds up
    ['00:00:30', '00:01:00'],
    ['1:2:3', '01:03:00'],
    ['1-0', '1-00:00:00'],
    ['2-', '2-00:00:00'],
    ['2-3', '2-03:00:00'],
    ['1-2:30', '1-02:30:00'],
    ['1-2:3', '1-02:03:00'],
    ['1-2:3:4', '1-02:04:00'],
    ['infinite', 'UNLIMITED'],
    ['UnLimited', 'UNLIMITED'],
    ['-1', 'UNLIMITED'],
    ['0:0', 'UNLIMITED'],
    ['0:1', '00:01:00'],
    ['365-0', '365-00:00:00'],
    // C int arithmetic, as stored by slurmctld
    ['-5', '2982611-04:17:00'],
    ['-01', '2982615-04:17:00'],
    ['99999999999', '2981813-22:48:00'],
    ['35791394', '2957761-01:03:00'],
    ['71582788', 'UNLIMITED'],
    ['4294967294', 'UNLIMITED'],
  ])('%j is stored as TimeLimit=%s', (text, shown) => {
    const r = parseTimeLimit(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(formatTimeLimit(r.value)).toBe(shown);
  });

  it('returns minutes', () => {
    expect(parseTimeLimit('1-2:30')).toEqual({ ok: true, value: 1590 });
    expect(parseTimeLimit('1:30')).toEqual({ ok: true, value: 2 });
  });

  // sbatch: `sbatch: error: Invalid --time specification`, exit 255 (same for --time-min)
  it.each([
    ['abc', 1],
    ['1.5', 2],
    ['1-2:3:4:5', 8],
    ['', 1],
    [' 5', 1],
    ['5 ', 2],
    ['+5', 1],
    ['1:-5', 3],
    ['60:', 4],
    ['-60:10', 4],
    ['1-:2', 3],
    ['1--2', 3],
    ['infinitex', 1],
  ])('%j is an invalid --time (column %i)', (text, column) => {
    const r = parseTimeLimit(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.column).toBe(column);
  });
});

describe('duration formats', () => {
  it.each([
    [0, '00:00:00', '0:00'],
    [59, '00:00:59', '0:59'],
    [88, '00:01:28', '1:28'],
    [3600, '01:00:00', '1:00:00'],
    [5400, '01:30:00', '1:30:00'],
    [86400, '1-00:00:00', '1-00:00:00'],
    [95400, '1-02:30:00', '1-02:30:00'],
    [365 * 86400, '365-00:00:00', '365-00:00:00'],
    [365 * 86400 + 60, '365-00:01:00', 'INVALID'], // squeue: more than a year
    [-1, 'INVALID', 'INVALID'],
  ])('%i s: scontrol %s, squeue %s', (secs, scontrol, squeue) => {
    expect(formatDuration(secs)).toBe(scontrol);
    expect(formatSqueueDuration(secs)).toBe(squeue);
  });

  it.each([
    [1, '00:01:00'],
    [2, '00:02:00'],
    [90, '01:30:00'],
    [1590, '1-02:30:00'],
    ['UNLIMITED' as const, 'UNLIMITED'],
  ])('formatTimeLimit(%j) = %s', (mins, shown) => expect(formatTimeLimit(mins)).toBe(shown));

  it('UNLIMITED everywhere', () => {
    expect(formatDuration('UNLIMITED')).toBe('UNLIMITED');
    expect(formatSqueueDuration('UNLIMITED')).toBe('UNLIMITED');
  });
});
