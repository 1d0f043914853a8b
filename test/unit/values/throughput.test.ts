import { describe, expect, it } from 'vitest';
import * as V from '../../../src/spec/values/index.js';

// Throughput of the value parsers (one core). Budget: a job script of ~10 directives must parse at
// more than 20,000 scripts/s, i.e. a value in a microsecond or two. The table is printed; the floors
// asserted are 10x below what a quiet machine gives, so only real regressions fail.
const now = new Date();
const ctx: V.PatternContext = { jobId: 12, arrayJobId: 10, arrayTaskId: 3, jobName: 'train', user: 'me', nodeName: 'gpu1', nodeIndex: 0, taskId: 0 };

const kinds: [string, () => unknown][] = [
  ['time 1-02:30:00', () => V.parseTimeLimit('1-02:30:00')],
  ['memory 4G', () => V.parseMemory('4G')],
  ['date 2030-01-20T10:30:15', () => V.parseDateTime('2030-01-20T10:30:15', now)],
  ['date now+1hour', () => V.parseDateTime('now+1hour', now)],
  ['array 1-100%10', () => V.parseArray('1-100%10')],
  ['dependency afterok:1234:1235,afterany:1236', () => V.parseDependency('afterok:1234:1235,afterany:1236')],
  ['hostlist gpu[1-4]', () => V.expandHostlist('gpu[1-4]')],
  ['compress 4 names', () => V.compressHostlist(['gpu1', 'gpu2', 'gpu3', 'gpu4'])],
  ['gres gpu:h100:2', () => V.parseGres('gpu:h100:2')],
  ['gpus h100:2', () => V.parseGpus('h100:2')],
  ['export ALL,FOO=1,BAR', () => V.parseExport('ALL,FOO=1,BAR')],
  ['signal B:USR1@60', () => V.parseSignal('B:USR1@60')],
  ['pattern logs/%x-%A_%a.out', () => V.parseFilenamePattern('logs/%x-%A_%a.out')],
  ['expand logs/%x-%A_%4a.out', () => V.expandFilenamePattern('logs/%x-%A_%4a.out', ctx)],
];

/** The values of a typical script's directives, parsed as sbatch would. */
const script = (): void => {
  V.parseTimeLimit('1-02:30:00');
  V.parseMemory('64G');
  V.parseFilenamePattern('logs/%x-%A_%a.out');
  V.parseFilenamePattern('logs/%x-%A_%a.err');
  V.parseArray('0-99%10');
  V.parseDependency('afterok:1234');
  V.parseGres('gpu:h100:2');
  V.parseSignal('B:USR1@60');
  V.parseDateTime('now+1hour', now);
  V.parseExport('ALL,OMP_NUM_THREADS=8');
};

function opsPerSecond(fn: () => unknown): number {
  for (let i = 0; i < 5000; i++) fn();
  const n = 50000;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

describe('throughput', () => {
  it('per kind and per script', () => {
    const rows = kinds.map(([name, fn]) => [name, opsPerSecond(fn)] as const);
    const scripts = opsPerSecond(script);
    console.log(
      [...rows, ['script of 10 values', scripts] as const]
        .map(([name, ops]) => `${name.padEnd(46)} ${Math.round(ops).toLocaleString('en').padStart(11)} ops/s`)
        .join('\n'),
    );
    for (const [name, ops] of rows) expect(ops, name).toBeGreaterThan(20_000);
    expect(scripts).toBeGreaterThan(5_000);
  });
});
