/**
 * Every rejected submission recorded from real Slurm 22.05.8 (fixtures/oracle/errors,
 * recorded by scripts/record-oracle.sh): ours must fail with the same exit code and
 * the same stderr lines, and queue nothing.
 */
import { describe, expect, it } from 'vitest';
import { oracleCluster, replay } from '../../helpers/replay.js';
import { recordings } from '../../helpers/oracle.js';

const cluster = oracleCluster();
const cases = recordings('errors');

/** Rejections that real Slurm makes only after looking at other jobs or the live cluster. */
const CONTROLLER_ONLY = new Set<string>([]);

describe('rejections match real Slurm', () => {
  it('has at least 15 recorded bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.filter((c) => !CONTROLLER_ONLY.has(c.case.name)).map((c) => [c.case.name, c] as const))('%s', (_name, rec) => {
    const ours = replay(rec, cluster);
    const stderr = ours.kind === 'error' ? ours.stderr.map((l) => `${l}\n`).join('') : '';
    const exit = ours.kind === 'error' ? ours.exit : 0;
    expect({ exit, stderr }).toEqual({ exit: rec.exit, stderr: rec.stderr });
  });
});
