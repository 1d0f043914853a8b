import { describe, expect, it } from 'vitest';
import { ctime } from '../../../src/format/ctime.js';

describe("squeue -l / sinfo -l's first line", () => {
  it('zero-pads the day, as real Slurm printed it on the oracle (`squeue -l | head -1` on 2026-12-07)', () => {
    expect(ctime(new Date(2026, 11, 7, 13, 6, 55))).toBe('Mon Dec 07 13:06:55 2026');
    expect(ctime(new Date(2026, 10, 28, 16, 44, 15))).toBe('Sat Nov 28 16:44:15 2026');
  });
});
