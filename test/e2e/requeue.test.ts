/**
 * A job that requeues itself (`scontrol requeue $SLURM_JOB_ID`, the TorchX,
 * submitit and Lightning pattern) runs again under the same id with
 * SLURM_RESTART_COUNT=1, and sacct keeps both runs as slurmdbd does: the
 * latest by default, every run with -D. Real Redis, real processes, on the
 * golden cluster's slurm.conf (slurmdbd accounting); expectations follow the
 * recorded real Slurm 22.05.8 output (fixtures/golden/recorded/requeue.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster } from '../helpers/cluster.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

let c: TestCluster;

beforeAll(() => {
  // a job-time minute lasts two seconds: the 121 s requeue delay (BeginTime) is about 4 s
  c = new TestCluster({ confText: readFileSync(join(GOLDEN_DIR, 'slurm.conf'), 'utf8'), extraEnv: { FLOW_MINUTE_SECONDS: '2' } });
});
afterAll(async () => {
  await c.destroy();
});

const sacct = (...args: string[]) => {
  const r = c.run('sacct', args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
};

describe('a job that requeues itself', () => {
  it('runs again under the same id with SLURM_RESTART_COUNT=1, and sacct shows both runs', async () => {
    const script = join(c.dir, 'selfrequeue.sh');
    writeFileSync(script, [
      '#!/bin/bash',
      'echo "run ${SLURM_RESTART_COUNT:-0}"',
      'if [ "${SLURM_RESTART_COUNT:-0}" = 0 ]; then',
      '  scontrol requeue "$SLURM_JOB_ID"',
      '  sleep 120',
      'fi',
      'echo done',
      '',
    ].join('\n'));
    const id = c.submit(['-J', 'selfrequeue', '--requeue', '--open-mode=append', '-o', 'requeue-%j.out', script]);
    const fmt = ['-o', 'JobID,JobName%12,State,ExitCode'];

    // the first run ended in the requeue; the second waits for its BeginTime and is not in the accounting yet
    await c.waitFor('the requeue', () => c.job(id).get('Reason') === 'BeginTime' || undefined);
    expect(c.job(id).get('Restarts')).toBe('1');
    expect(sacct('-j', String(id), ...fmt)).toBe([
      'JobID             JobName      State ExitCode ',
      '------------ ------------ ---------- -------- ',
      `${id}          selfrequeue   REQUEUED      0:0 `,
      `${id}.batch          batch  CANCELLED     0:15 `,
      '',
    ].join('\n'));

    await c.waitState(id, ['COMPLETED'], 30_000);
    // both runs appended to one file, the first ended by the requeue (the slurmstepd line, as in the recordings)
    // nothing else in between: no shell notice (`Terminated`) of the killed sleep, as in the recording (requeue-append)
    const out = readFileSync(join(c.dir, `requeue-${id}.out`), 'utf8').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, '{TIME}');
    expect(out).toBe(`run 0\nslurmstepd-gpu1: error: *** JOB ${id} ON gpu1 CANCELLED AT {TIME} DUE TO JOB REQUEUE ***\nrun 1\ndone\n`);
    // by default the latest run only
    expect(sacct('-P', '-n', '-j', String(id), '-o', 'JobID,State,ExitCode')).toBe(
      `${id}|COMPLETED|0:0\n${id}.batch|COMPLETED|0:0\n`,
    );
    // -D: every run, oldest first; each has its own start and end, the second started after the first ended
    expect(sacct('-D', '-P', '-n', '-j', String(id), '-o', 'JobID,State,ExitCode')).toBe(
      `${id}|REQUEUED|0:0\n${id}.batch|CANCELLED|0:15\n${id}|COMPLETED|0:0\n${id}.batch|COMPLETED|0:0\n`,
    );
    const times = sacct('-D', '-X', '-P', '-n', '-j', String(id), '-o', 'Submit,Start,End').trim().split('\n').map((l) => l.split('|'));
    expect(times).toHaveLength(2);
    const [first, second] = times as [string[], string[]];
    expect(second[1]! >= first[2]!).toBe(true);
    // the second run was submitted again when it was requeued (Slurm's SubmitTime then)
    expect(second[0]! >= first[1]!).toBe(true);
  }, 60_000);
});
