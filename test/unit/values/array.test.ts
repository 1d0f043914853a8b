import { describe, expect, it } from 'vitest';
import {
  arrayIncludes, arrayIndices, arrayMax, arrayMin, arrayStep, arrayTaskCount, formatArrayIndexSet, parseArray,
  validateArray,
} from '../../../src/job/values/index.js';
import type { ArraySpec } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8 (MaxArraySize=100001): `sbatch --hold --array=<value>`
// then `scontrol show job` ArrayTaskId=/ArrayTaskThrottle= and squeue %K; SLURM_ARRAY_TASK_* from jobs
// that ran. Every rejection is the controller's: `sbatch: error: Batch job submission failed: Invalid
// job array specification`, exit 1 (sbatch itself checks nothing).
const spec = (text: string): ArraySpec => {
  const r = parseArray(text);
  if (!r.ok) throw new Error(`parse failed: ${text}`);
  return r.value;
};

describe('parseArray + formatArrayIndexSet (ArrayTaskId=)', () => {
  it.each([
    ['0-15:4', '0,4,8,12'],
    ['1,3,5-9:2', '1,3,5,7,9'],
    ['1-10%3', '1-10%3'],
    ['1-5,3', '1-5'],
    ['1-5%0', '1-5'],
    ['0-100000', '0-100000'],
    ['%2', '0%2'],
    ['1-5%', '1-5'],
    ['1-5%x', '1-5'],
    ['1-5%-1', '1-5'],
    ['1,,2', '1-2'],
    [',1', '1'],
    ['1,', '1'],
    ['1-5%2%3', '1-5%2'],
    ['3', '3'],
    ['00-03', '0-3'],
    ['+1', '1'],
    [' 1', '1'],
    ['1-5:2%2', '1,3,5%2'],
    ['7-7', '7'],
    ['1-3,2-5:2', '1-4'],
    ['1-5:100', '1'],
    ['0-99999:99999', '0,99999'],
    ['5%2', '5%2'],
    ['1-5%99999999999', '1-5%1215752191'],
    ['1%', '1'],
    ['1-5%65536', '1-5%65536'],
    ['1-5%2147483647', '1-5%2147483647'],
    ['1-5%2147483648', '1-5'],
    ['1-5%4294967295', '1-5'],
    ['1-5%1x', '1-5%1'],
    ['1-5% 2', '1-5%2'],
    ['1-5%+2', '1-5%2'],
    ['1-3%2,7', '1-3,7%2'],
    ['%2,3', '0,3%2'],
    ['1,%2', '0-1%2'],
    ['1-5:+2', '1,3,5'],
    ['1-+5', '1-5'],
    ['1- 5', '1-5'],
    ['1-5: 2', '1,3,5'],
    ['1, 2', '1-2'],
    ['01', '1'],
    ['-0', '0'],
    ['[1-5]', '1-5'],
    ['1]', '1'],
    ['[1-3],[5]', '1-3,5'],
    ['-', '0'],
    ['0-', '0'],
    [']', '0'],
    ['[', '0'],
    ['[]', '0'],
    ['1-3%2x', '1-3%2'],
    ['1%5,3', '1,3%5'],
    ['0-5:2]%3', '0,2,4%3'],
    ['[0-5]:2', '0,2,4'],
    ['1-3:2]', '1,3'],
    ['1-3]:2', '1,3'],
    // one progression of more than 5 indices spanning more than 10 keeps its step
    ['0-998:2%5', '0-998:2%5'],
    ['0-10:2', '0,2,4,6,8,10'],
    ['0-12:2', '0-12:2'],
    ['0-20:4', '0-20:4'],
    ['0-22:11', '0,11,22'],
    ['0-20:5', '0,5,10,15,20'],
    ['0-24:4', '0-24:4'],
    ['0-12:3', '0,3,6,9,12'],
    ['0-15:3', '0-15:3'],
    ['0-16:4', '0,4,8,12,16'],
    ['0-11:1', '0-11'],
    ['1,3,5,7,9,11,13', '1-13:2'],
    ['0-100:25', '0,25,50,75,100'],
    ['0-50:10', '0-50:10'],
    ['0-1000:500', '0,500,1000'],
    ['1-11:2', '1,3,5,7,9,11'],
    ['1-3,5-21:2', '1-3,5,7,9,11,13,15,17,19,21'],
    ['0-8:2,9-11', '0,2,4,6,8-11'],
    ['0-20:2,21-30:3', '0,2,4,6,8,10,12,14,16,18,20-21,24,27,30'],
    ['0-10000:2000%4', '0-10000:2000%4'],
    // cut at SLURM_BITSTR_LEN (64) with "..."
    ['0-300:3,301%4', '0,3,6,9,12,15,18,21,24,27,30,33,36,39,42,45,48,51,54,57,60,6...%4'],
  ])('%j → %s', (text, shown) => expect(formatArrayIndexSet(spec(text))).toBe(shown));

  it('SLURM_BITSTR_LEN', () => {
    expect(formatArrayIndexSet(spec('0-300:3,301%4'), 20)).toBe('0,3,6,9,12,15,18...%4');
    expect(formatArrayIndexSet(spec('0-300:3,301'), 0)).toMatch(/,297,300-301$/);
  });

  it.each(['', ','])('%j is not an array at all', (text) => expect(parseArray(text)).toEqual({ ok: true, value: { ranges: [], throttle: 0 } }));

  it.each([
    ['5-1', 1],
    ['abc', 1],
    ['1-', 1],
    ['-1', 1],
    ['1-5:0', 1],
    ['1-5:-1', 1],
    ['1-5:', 1],
    ['1:2', 2],
    ['1 ', 2],
    ['1-2,5-1', 5],
    ['1e3', 2],
    ['x1', 1],
    ['1-5:2:3', 6],
    ['1--5', 1],
    ['1-5-7', 4],
    ['1-5 %2', 4],
    ['1 ,2', 2],
    ['0x5', 2],
    ['2-0', 1],
    [':2', 1],
    [' ', 2],
    ['5-5:0', 1],
    ['1-5:2x', 6],
  ])('%j is invalid (column %i)', (text, column) => {
    expect(parseArray(text)).toEqual({
      ok: false,
      error: { message: 'Invalid job array specification', column, side: 'controller' },
    });
  });

  it.each([
    ['0-100001', false],
    ['0-100000', true],
    ['100001', false],
    ['99999-100000', true],
    ['4294967295', false],
    ['0-4294967296', false],
  ])('MaxArraySize=100001: %j valid=%s', (text, valid) => {
    expect(validateArray(spec(text), 100001).ok).toBe(valid);
  });

  it('refuses hand-built reversed or stepless ranges, and MaxArraySize=0', () => {
    expect(validateArray({ ranges: [{ start: 5, end: 1, step: 1, stepGiven: false }], throttle: 0 }, 1001).ok).toBe(false);
    expect(validateArray({ ranges: [{ start: 1, end: 5, step: 0, stepGiven: true }], throttle: 0 }, 1001).ok).toBe(false);
    expect(validateArray(spec('1-5'), 0).ok).toBe(false);
    expect(validateArray(spec(''), 0).ok).toBe(true);
  });
});

describe('array environment and helpers', () => {
  // SLURM_ARRAY_TASK_COUNT/MIN/MAX/STEP of jobs that ran on the oracle
  it.each([
    ['1,3,5-9:2', 5, 1, 9, 2],
    ['0-15:4', 4, 0, 12, 4],
    ['1-5,3', 5, 1, 5, 1],
    ['2,4,8', 3, 2, 8, 1],
    ['1-3:2,4-10:3', 5, 1, 10, 2],
    ['5', 1, 5, 5, 1],
    ['0-12:2', 7, 0, 12, 2],
    ['1-10%2', 10, 1, 10, 1],
    ['3-9:3,4', 4, 3, 9, 3],
    ['10-20:5,1-3', 6, 1, 20, 5],
  ])('%j: count %i min %i max %i step %i', (text, count, min, max, step) => {
    const s = spec(text);
    expect([arrayTaskCount(s), arrayMin(s), arrayMax(s), arrayStep(s)]).toEqual([count, min, max, step]);
  });

  it('iterates ascending without duplicates, never building the set', () => {
    expect([...arrayIndices(spec('10-20:5,1-3,2,15'))]).toEqual([1, 2, 3, 10, 15, 20]);
    const big = spec('0-99999');
    expect(arrayTaskCount(big)).toBe(100000);
    let n = 0;
    for (const i of arrayIndices(big)) if (i === n) n++;
    expect(n).toBe(100000);
  });

  it('includes', () => {
    const s = spec('0-15:4,7');
    expect([0, 4, 7, 12, 13, 16].map((i) => arrayIncludes(s, i))).toEqual([true, true, true, true, false, false]);
  });
});
