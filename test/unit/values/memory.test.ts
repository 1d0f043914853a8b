import { describe, expect, it } from 'vitest';
import { formatMemory, parseMemory } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8: `sbatch --hold --mem=<value>` then `scontrol show job`
// (MinMemoryNode=, TRES=mem=) and squeue %m, plus libslurm's str_to_mbytes() on 5,000 random strings.
describe('parseMemory', () => {
  it.each([
    ['0', 0, '0'],
    ['1', 1, '1M'],
    ['1024', 1024, '1G'],
    ['1536', 1536, '1.50G'],
    ['2560', 2560, '2.50G'],
    ['1280', 1280, '1280M'],
    ['1000', 1000, '1000M'],
    ['250000', 250000, '250000M'],
    ['1K', 1, '1M'],
    ['1024K', 1, '1M'],
    ['1025K', 2, '2M'],
    ['1KB', 1, '1M'],
    ['1M', 1, '1M'],
    ['1MB', 1, '1M'],
    ['300M', 300, '300M'],
    ['1G', 1024, '1G'],
    ['1g', 1024, '1G'],
    ['1GB', 1024, '1G'],
    ['1gb', 1024, '1G'],
    ['1Gb', 1024, '1G'],
    ['4G', 4096, '4G'],
    ['1T', 1048576, '1T'],
    ['1048576', 1048576, '1T'],
    ['1048577', 1048577, '1048577M'],
    ['1572864', 1572864, '1.50T'],
    ['1074266112', 1074266112, '1.00P'],
    ['1099511627776', 1099511627776, '1?'],
    [' 5', 5, '5M'],
    ['+5', 5, '5M'],
    ['007', 7, '7M'],
    ['-0', 0, '0'],
  ])('%j → %i MB, shown %s', (text, mb, shown) => {
    expect(parseMemory(text)).toEqual({ ok: true, value: mb });
    expect(formatMemory(mb)).toBe(shown);
  });

  // sbatch: `sbatch: error: Invalid --mem specification` (or --mem-per-cpu, --mem-per-gpu, --tmp), exit 255
  it.each([
    ['12Q', 3],
    ['1.5G', 2],
    ['-1', 1],
    ['5 ', 2],
    ['1B', 2], // B only after a unit
    ['1KBB', 4],
    ['', 1],
    ['0x10', 2],
    ['9999999999999999999', 1], // strtoll overflow
  ])('%j is invalid (column %i)', (text, column) => {
    const r = parseMemory(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.column).toBe(column);
  });
});
