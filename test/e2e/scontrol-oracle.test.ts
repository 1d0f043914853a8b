/**
 * Every front-end fixture, submitted with our real sbatch to our controller on
 * the mirrored oracle config, must show in `scontrol show job -o` what real
 * Slurm 22.05.8 showed for it (fixtures/oracle/parse, scripts/record-oracle.sh),
 * on the fields the issue lists. Job ids and submit times are this run's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TestCluster } from '../helpers/cluster.js';
import { FIXTURES, recordings, scontrolFields } from '../helpers/oracle.js';

const FIELDS = ['JobName', 'NumNodes', 'NumTasks', 'CPUs/Task', 'TimeLimit', 'Partition', 'TRES', 'TresPerNode', 'TresPerJob',
  'TresPerTask', 'MinMemoryNode', 'MinMemoryCPU', 'StdOut', 'StdErr', 'StdIn', 'WorkDir', 'ArrayTaskId', 'Dependency', 'Account',
  'QOS', 'Comment', 'Requeue', 'Features', 'ExcNodeList', 'EligibleTime', 'Nice', 'JobState', 'Reason', 'Command'];
const TIMES = new Set(['EligibleTime']);
const UNSUPPORTED = new Set(['hetjob', 'test-only-feasible']);

let c: TestCluster;
beforeAll(() => {
  c = new TestCluster({ extraEnv: { FLOW_NO_AUTOSTART: '0' } });
});
afterAll(async () => {
  await c.destroy();
});

/** scontrol's local time (YYYY-MM-DDTHH:MM:SS) as a Date in this process's time zone, as the commands print it */
const local = (t: string): Date => {
  const [y, mo, d, h, mi, s] = t.split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s);
};

/**
 * What EligibleTime a --begin value gives for a submission at `submit`, by the rule the recording
 * itself follows (checked on the recording too), so the comparison holds on any day, at any hour:
 * - now+N: the same offset from the submission;
 * - a time of day (16:00, noon, midnight, teatime, fika, tomorrow): its next occurrence after the
 *   submission (today's, or tomorrow's once today's has passed);
 * - a month and day (12/25): its next occurrence (this year's, or next year's once it has passed);
 * - anything else is absolute and compared as it is.
 */
function eligibleFor(begin: string, submit: Date, recorded: { submit: Date; eligible: Date }): Date {
  const e = recorded.eligible;
  if (/^now/i.test(begin)) return new Date(submit.getTime() + (e.getTime() - recorded.submit.getTime()));
  const at = (y: number, mo: number, d: number) => new Date(y, mo, d, e.getHours(), e.getMinutes(), e.getSeconds());
  if (/^\d{1,2}\/\d{1,2}$/.test(begin)) {
    const t = at(submit.getFullYear(), e.getMonth(), e.getDate());
    return t >= submit ? t : at(submit.getFullYear() + 1, e.getMonth(), e.getDate());
  }
  if (!/\d{4}|\//.test(begin)) {
    const t = at(submit.getFullYear(), submit.getMonth(), submit.getDate());
    return t > submit ? t : at(submit.getFullYear(), submit.getMonth(), submit.getDate() + 1);
  }
  return e;
}

const beginArg = (argv: string[]): string | undefined => {
  const i = argv.findIndex((a) => a === '-b' || a === '--begin' || a.startsWith('--begin='));
  return i < 0 ? undefined : argv[i]!.startsWith('--begin=') ? argv[i]!.slice(8) : argv[i + 1];
};

const cases = recordings('parse').filter((r) => r.jobId !== null && r.scontrol?.length && !UNSUPPORTED.has(r.case.name));

describe('scontrol show job -o against real Slurm, submitted with our sbatch', () => {
  it.each(cases.map((r) => [r.case.name, r] as const))('%s', (_n, rec) => {
    mkdirSync(rec.cwd, { recursive: true });
    const caseDef = rec.case as typeof rec.case & { parentArgs?: Record<string, string[]> };
    if (caseDef.script && !caseDef.stdin) copyFileSync(join(FIXTURES, 'scripts', caseDef.script), join(rec.cwd, basename(caseDef.script)));
    const ids: Record<string, number> = {};
    for (const dep of Object.keys(rec.deps)) {
      ids[dep] = c.submit(['--hold', '--wrap=true', '-o', '/dev/null', ...(caseDef.parentArgs?.[dep] ?? [])], { cwd: rec.cwd });
    }
    const subst = (s: string) => Object.entries(rec.deps).reduce((t, [k, v]) => t.replace(new RegExp(`(?<![0-9])${v}(?![0-9])`, 'g'), String(ids[k])), s);
    const env = Object.fromEntries(Object.entries(rec.case.env ?? {}).map(([k, v]) => [k, subst(v.replace(/\{(DEP\d+)\}/g, (_, d: string) => String(rec.deps[d])))]));
    const input = rec.case.stdin && rec.case.script ? readFileSync(join(FIXTURES, 'scripts', rec.case.script)) : undefined;
    const r = c.run('sbatch', rec.argv.slice(1).map(subst), { cwd: rec.cwd, env, input });
    expect(r.status).toBe(0);
    // --parsable prints the id, plain sbatch `Submitted batch job N`, -Q nothing: then it is the newest job
    const printed = /(\d+)/.exec(r.stdout)?.[1];
    const id = printed ? Number(printed) : Math.max(...c.run('squeue', ['-h', '-t', 'all', '-o', '%A']).stdout.trim().split('\n').map(Number));
    const ours = scontrolFields(c.run('scontrol', ['show', 'job', '-o', String(id)]).stdout.split('\n')[0]!);
    const want = scontrolFields(rec.scontrol![0]!);
    const norm = (v: string | undefined, jobId: number) => v?.replace(new RegExp(`(?<![0-9])${jobId}(?![0-9])`, 'g'), '{JOBID}');
    for (const f of FIELDS) {
      if (!want.has(f) && !ours.has(f)) continue;
      let theirs = norm(subst(want.get(f) ?? ''), rec.jobId!);
      let mine = norm(ours.get(f), id);
      const begin = beginArg(rec.argv);
      if (TIMES.has(f) && begin && theirs !== 'Unknown') {
        const recorded = { submit: local(want.get('SubmitTime')!), eligible: local(theirs!) };
        // the rule must be the recording's own: applied to real Slurm's submission, it gives real Slurm's answer
        expect(eligibleFor(begin, recorded.submit, recorded).getTime(), `${begin}: the rule reproduces the recording`).toBe(recorded.eligible.getTime());
        const expected = eligibleFor(begin, local(ours.get('SubmitTime')!), recorded);
        theirs = `${begin} -> ${expected.toString()}`;
        mine = mine === 'Unknown' ? mine : `${begin} -> ${local(mine!).toString()}`;
      }
      expect({ field: f, value: mine }).toEqual({ field: f, value: theirs });
    }
    c.run('scancel', [String(id), ...Object.values(ids).map(String)]);
  });
});
