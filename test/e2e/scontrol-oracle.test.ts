/**
 * Every front-end fixture, submitted with our real sbatch to our controller on
 * the mirrored oracle config, must show in `scontrol show job -o` what real
 * Slurm 22.05.8 showed for it (fixtures/oracle/parse, scripts/record-oracle.sh),
 * on the fields the issue lists. Job ids and submit times are this run's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
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

/**
 * Cases run side by side, but those that find their job as the newest one (sbatch -Q prints no id)
 * or whose answer depends on the other jobs of a name (singleton) run alone, first.
 */
const alone = (rec: (typeof cases)[number]) => !/\d/.test(rec.stdout) || rec.argv.some((a) => a.includes('singleton'));

const workDir = () => {
  const dir = join(c.dir, 'work');
  mkdirSync(dir, { recursive: true });
  return dir;
};

async function submitAndCompare(rec: (typeof cases)[number]): Promise<void> {
  const caseDef = rec.case as typeof rec.case & { parentArgs?: Record<string, string[]> };
  // cases share one work directory of this run's own (real Slurm's was rec.cwd): a script is copied
  // once (the same name is the same fixture), never over a copy another case's sbatch may be reading
  const cwd = workDir();
  const script = caseDef.script && !caseDef.stdin ? join(cwd, basename(caseDef.script)) : undefined;
  if (script && !existsSync(script)) copyFileSync(join(FIXTURES, 'scripts', caseDef.script!), script);
  const ids: Record<string, number> = {};
  for (const dep of Object.keys(rec.deps)) {
    const p = await c.runAsync('sbatch', ['--parsable', '--hold', '--wrap=true', '-o', '/dev/null', ...(caseDef.parentArgs?.[dep] ?? [])], { cwd });
    expect(p.stdout).toMatch(/^\d+\n$/);
    ids[dep] = Number(p.stdout);
  }
  const subst = (s: string) => Object.entries(rec.deps).reduce((t, [k, v]) => t.replace(new RegExp(`(?<![0-9])${v}(?![0-9])`, 'g'), String(ids[k])), s);
  const env = Object.fromEntries(Object.entries(rec.case.env ?? {}).map(([k, v]) => [k, subst(v.replace(/\{(DEP\d+)\}/g, (_, d: string) => String(rec.deps[d])))]));
  const input = rec.case.stdin && rec.case.script ? readFileSync(join(FIXTURES, 'scripts', rec.case.script)) : undefined;
  const r = await c.runAsync('sbatch', rec.argv.slice(1).map(subst), { cwd, env, input });
  expect({ exit: r.status, stderr: r.stderr }).toEqual({ exit: 0, stderr: rec.stderr });
  // --parsable prints the id, plain sbatch `Submitted batch job N`, -Q nothing: then it is the newest job
  const printed = /(\d+)/.exec(r.stdout)?.[1];
  const id = printed ? Number(printed) : Math.max(...(await c.runAsync('squeue', ['-h', '-t', 'all', '-o', '%A'])).stdout.trim().split('\n').map(Number));
  const ours = scontrolFields((await c.runAsync('scontrol', ['show', 'job', '-o', String(id)])).stdout.split('\n')[0]!);
  const want = scontrolFields(rec.scontrol![0]!);
  const norm = (v: string | undefined, jobId: number) => v?.replace(new RegExp(`(?<![0-9])${jobId}(?![0-9])`, 'g'), '{JOBID}');
  for (const f of FIELDS) {
    if (!want.has(f) && !ours.has(f)) continue;
    // paths under the recording's work directory are under ours
    let theirs = norm(subst(want.get(f) ?? ''), rec.jobId!)?.replaceAll(rec.cwd, cwd);
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
  await c.runAsync('scancel', [String(id), ...Object.values(ids).map(String)]);
}

describe('scontrol show job -o against real Slurm, submitted with our sbatch', () => {
  for (const rec of cases.filter(alone)) it(rec.case.name, () => submitAndCompare(rec));
  for (const rec of cases.filter((r) => !alone(r))) it.concurrent(rec.case.name, () => submitAndCompare(rec));
});
