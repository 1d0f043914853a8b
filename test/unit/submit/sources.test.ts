/**
 * Where option values come from: the SBATCH_* pass in the option table's order (whatever order the
 * environment lists its variables in), and getopt's exact long names before abbreviations.
 */
import { describe, expect, it } from 'vitest';
import { parseSubmission, type ParseOutcome } from '../../../src/submit/parse.js';

const script = Buffer.from('#!/bin/sh\n#SBATCH -t 5\necho hi\n');

function parse(argv: string[], env: Record<string, string>): ParseOutcome {
  return parseSubmission({ argv, env, cwd: '/tmp', now: new Date(0), readStdin: () => script });
}

function request(argv: string[], env: Record<string, string>): unknown {
  const r = parse(argv, env);
  if (r.kind !== 'ok') throw new Error(JSON.stringify(r));
  return r.submission.resolution.request;
}

describe('option sources', () => {
  it('reads the environment in table order, not in the order the variables are listed', () => {
    // hint reads SBATCH_HINT, then SLURM_HINT (the later one wins); clusters SBATCH_CLUSTERS, then SLURM_CLUSTERS
    const a = { SBATCH_HINT: 'compute_bound', SLURM_HINT: 'multithread', SBATCH_CLUSTERS: 'a', SLURM_CLUSTERS: 'b' };
    const b = { SLURM_CLUSTERS: 'b', SLURM_HINT: 'multithread', SBATCH_CLUSTERS: 'a', SBATCH_HINT: 'compute_bound' };
    const want = { time: 5, clusters: 'b', hint: 'multithread' };
    expect(request([], a)).toEqual(want);
    expect(request([], b)).toEqual(want);
  });

  it('lets the environment override the script and flags be switched off', () => {
    const r = parse([], { SBATCH_TIMELIMIT: '7', SBATCH_WAIT: 'no', SBATCH_REQUEUE: '', PATH: '/bin', HOME: '/root' });
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.submission.resolution.request).toEqual({ time: 7, requeue: true });
    expect(r.submission.resolution.state.get('time')?.source).toEqual({ from: 'environment', variable: 'SBATCH_TIMELIMIT' });
  });

  it('takes an exact long name over the longer names it abbreviates', () => {
    expect(request(['--time', '9', '--mem', '1', '--time-m', '3'], {})).toEqual({ time: 9, mem: 1, timeMin: 3 });
    expect(parse(['--tim', '9'], {})).toEqual({
      kind: 'error',
      stderr: ["sbatch: option '--tim' is ambiguous; possibilities: '--time' '--time-min'", 'Try "sbatch --help" for more information'],
      exit: 255,
    });
  });
});
