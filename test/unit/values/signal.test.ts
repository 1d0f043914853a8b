import { describe, expect, it } from 'vitest';
import { parseSignal, signalName, signalNumber } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8: `sbatch --signal=<value>` accepted or
// `sbatch: error: Invalid --signal specification` (exit 255), and `scancel -s <sig> 999999`
// (`Unknown job signal: <sig>`, exit 1, versus the job-id error for a known signal).
describe('parseSignal', () => {
  it.each([
    ['USR1', 10, 60, false, false],
    ['SIGUSR1', 10, 60, false, false],
    ['usr1', 10, 60, false, false],
    ['10', 10, 60, false, false],
    ['B:USR1', 10, 60, true, false],
    ['b:usr1', 10, 60, true, false],
    ['R:USR1', 10, 60, false, true],
    ['BR:USR1', 10, 60, true, true],
    ['RB:USR1', 10, 60, true, true],
    ['RR:USR1', 10, 60, false, true],
    ['B:USR1@50', 10, 50, true, false],
    ['USR1@0', 10, 0, false, false],
    ['USR1@', 10, 0, false, false],
    ['USR1@65535', 10, 65535, false, false],
    ['usr1@ 5', 10, 5, false, false],
    ['65535', 65535, 60, false, false],
    ['-1', 65535, 60, false, false], // 16-bit
    ['65537', 1, 60, false, false],
    ['USR1 ', 10, 60, false, false],
    [' USR1', 10, 60, false, false],
    ['B:10@3', 10, 3, true, false],
    ['B10', 10, 60, true, false],
    ['BUSR1', 10, 60, true, false],
    ['R10', 10, 60, false, true],
    ['RUSR1', 10, 60, false, true],
    [':USR1', 10, 60, false, false],
    ['TERM', 15, 60, false, false],
    ['KILL', 9, 60, false, false],
    ['34', 34, 60, false, false],
    ['XCPU', 24, 60, false, false],
    ['SIGXCPU@1', 24, 1, false, false],
  ])('%j → signal %i, %i s, batch %s, reservation %s', (text, signal, seconds, batchOnly, reservation) => {
    expect(parseSignal(text)).toMatchObject({ ok: true, value: { signal, seconds, batchOnly, reservation } });
  });

  it.each([
    'USR1@65536', 'USR1@-1', 'USR1@x', 'USR1@5x', 'USR1@5 ', 'SEGV', 'PIPE', 'WINCH', 'Bus', '0', '65536', 'FOO', 'B:', '',
    '@5', 'BB:USR1', 'B::USR1', 'SIGRTMIN', 'Bogus:USR1', '10x', '1e1', '0x10', 'R:B:USR1',
  ])('%j: Invalid --signal specification', (text) => expect(parseSignal(text).ok).toBe(false));

  it('B is sbatch-only', () => {
    expect(parseSignal('B:USR1', { command: 'srun' }).ok).toBe(false);
    expect(parseSignal('R:USR1', { command: 'srun' })).toMatchObject({ ok: true, value: { reservation: true } });
  });

  it('names', () => {
    expect(parseSignal('SIGUSR2@30')).toEqual({
      ok: true,
      value: { signal: 12, name: 'USR2', seconds: 30, batchOnly: false, reservation: false },
    });
    expect(signalName(10)).toBe('USR1');
    expect(signalName(11)).toBe('11');
  });
});

describe('signalNumber (scancel --signal)', () => {
  it.each([
    ['USR1', 10], ['SIGUSR1', 10], ['34', 34], ['-1', 65535], [' 10', 10], ['usr1 ', 10], ['HUP', 1], ['INT', 2], ['QUIT', 3],
    ['ABRT', 6], ['ALRM', 14], ['USR2', 12], ['URG', 23], ['CONT', 18], ['STOP', 19], ['TSTP', 20], ['TTIN', 21], ['TTOU', 22],
  ])('%j = %i', (text, n) => expect(signalNumber(text)).toEqual({ ok: true, value: n }));

  it.each(['SEGV', 'PIPE', '0', '65536', 'x', '10x', 'WINCH'])('%j: Unknown job signal', (text) => {
    expect(signalNumber(text)).toMatchObject({ ok: false, error: { message: `Unknown job signal: ${text}` } });
  });
});
