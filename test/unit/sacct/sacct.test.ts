/**
 * sacct in-process, on accounting lines made here (no Redis): what it prints
 * for the options the golden recordings do not cover, worked out from Slurm
 * 22.05's sacct and slurmdbd sources (src/sacct/options.c, print.c,
 * as_mysql_jobacct_process.c, slurmdb_job_cond_def_start_end()).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sacct } from '../../../src/commands/sacct.js';
import type { IO } from '../../../src/commands/io.js';
import type { AcctSource } from '../../../src/client/redis-acct-source.js';
import { ACCT_FIELDS } from '../../../src/store/stored-job.js';
import { AcctLines } from '../../../src/format/sacct/lines.js';
import { fieldIndex } from '../../../src/format/squeue/fields.js';
import { formatIsoLocal } from '../../../src/job/values/index.js';

const ROOT = join(__dirname, '..', '..', '..');
const CONF = join(ROOT, 'fixtures', 'golden', 'slurm.conf');
const DIR = mkdtempSync(join(tmpdir(), 'sacct-unit-'));
const NO_ACCOUNTING = join(DIR, 'slurm.conf');
writeFileSync(NO_ACCOUNTING, readFileSync(CONF, 'utf8').replace(/^AccountingStorageType=.*$/m, 'AccountingStorageType=accounting_storage/none'));

const NOW = new Date(2026, 10, 28, 12, 0, 0);
const T = Math.floor(NOW.getTime() / 1000);
const YESTERDAY = T - 86400;

type Fields = Record<string, string | number>;
const base: Fields = {
  'r.user': 'root', 'r.uid': 0, 'r.group': 'root', 'r.gid': 0, 'r.account': 'root', 'r.qos': 'normal', 'r.partition': 'h100',
  'r.minCpus': 1, 'r.nodes': 1, 'r.mem': 1024, 'r.memPer': 'cpu', 'r.timeLimit': 'UNLIMITED', restarts: 0, 'r.workDir': '/w',
};
const ran = (start: number, end: number): Fields => ({ start, end, nodes: 'gpu1', nnodes: 1, cpus: 1, batchHost: 'gpu1' });
const step = (id: number, name: string, start: number, end: number, state = 'COMPLETED', exit = '0:0') =>
  ({ id, name, start, end, state, exit, nodes: 'gpu1', nnodes: 1, ntasks: 1, cpus: 1 });

const JOBS: Fields[] = [
  { id: 100, 'r.name': 'steps', state: 'COMPLETED', 'r.submit': T - 600, eligible: T - 600, ...ran(T - 590, T - 500), exit: '0:0',
    steps: JSON.stringify([step(0, 'hostname', T - 580, T - 570), step(1, 'python', T - 560, T - 510, 'FAILED', '2:0')]) },
  { id: 101, 'r.name': 'failing', state: 'FAILED', 'r.submit': T - 600, eligible: T - 600, ...ran(T - 590, T - 580), exit: '3:0' },
  { id: 102, 'r.name': 'cancelled', state: 'CANCELLED', 'r.submit': T - 400, eligible: T - 400, ...ran(T - 390, T - 300), exit: '0:15', cancelBy: 0 },
  { id: 103, 'r.name': 'held', state: 'PENDING', reason: 'JobHeldUser', 'r.submit': T - 300, eligible: 0, 'r.timeLimit': 60 },
  { id: 104, 'r.name': 'running', state: 'RUNNING', 'r.submit': T - 200, eligible: T - 200, ...ran(T - 190, 0) },
  { id: 105, 'r.name': 'old', state: 'COMPLETED', 'r.submit': YESTERDAY, eligible: YESTERDAY, ...ran(YESTERDAY + 10, YESTERDAY + 20), exit: '0:0' },
  // an array of two tasks: 107 split off for task 0, the array's own record ran task 1
  { id: 107, 'r.name': 'arr', state: 'COMPLETED', 'r.submit': T - 100, eligible: T - 100, ...ran(T - 95, T - 90), exit: '0:0', 'r.arrayJobId': 106, 'r.arrayTaskId': 0 },
  { id: 106, 'r.name': 'arr', state: 'FAILED', 'r.submit': T - 100, eligible: T - 100, ...ran(T - 95, T - 90), exit: '1:0', 'r.arrayJobId': 106, 'r.arrayTaskId': 1 },
  // requeued once (its first run ended REQUEUED), then ran to the end
  { id: 108, 'r.name': 'requeued', state: 'COMPLETED', restarts: 1, submit: T - 50, 'r.submit': T - 80, eligible: T - 40, ...ran(T - 40, T - 30), exit: '0:0',
    history: JSON.stringify([{ run: 1, submit: T - 80, eligible: T - 80, start: T - 75, end: T - 50, state: 'REQUEUED', exit: '0:0', nodes: 'gpu2', cpus: 1, nnodes: 1 }]) },
];

const source = (jobs: Fields[]): AcctSource => ({
  async lines(_cluster, ids) {
    const wanted = ids ? jobs.filter((j) => ids.includes(Number(j.id)) || ids.includes(Number(j['r.arrayJobId']))) : jobs;
    return AcctLines.fromLines(wanted.map((j) => ACCT_FIELDS.map((f) => String({ ...base, ...j }[f] ?? '')).join('\x1f')), fieldIndex(ACCT_FIELDS));
  },
  async close() {},
});

async function run(argv: string[], opts: { conf?: string; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => Buffer.alloc(0),
    env: { SLURM_CONF: opts.conf ?? CONF, ...opts.env },
    cwd: ROOT,
    now: () => NOW,
  };
  const exit = await sacct(argv, io, source(JOBS));
  return { exit, stdout, stderr };
}

const out = async (...argv: string[]) => {
  const r = await run(argv);
  expect(r.stderr).toBe('');
  expect(r.exit).toBe(0);
  return r.stdout;
};

describe('sacct listing', () => {
  it('lists today\'s jobs by default, each with its batch and srun steps, in submit order', async () => {
    expect(await out()).toBe([
      'JobID           JobName  Partition    Account  AllocCPUS      State ExitCode ',
      '------------ ---------- ---------- ---------- ---------- ---------- -------- ',
      '100               steps       h100       root          1  COMPLETED      0:0 ',
      '100.batch         batch                  root          1  COMPLETED      0:0 ',
      '100.0          hostname                  root          1  COMPLETED      0:0 ',
      '100.1            python                  root          1     FAILED      2:0 ',
      '101             failing       h100       root          1     FAILED      3:0 ',
      '101.batch         batch                  root          1     FAILED      3:0 ',
      '102           cancelled       h100       root          1 CANCELLED+      0:0 ',
      '102.batch         batch                  root          1  CANCELLED     0:15 ',
      '104             running       h100       root          1    RUNNING      0:0 ',
      '104.batch         batch                  root          1    RUNNING      0:0 ',
      '106_0               arr       h100       root          1  COMPLETED      0:0 ',
      '106_0.batch       batch                  root          1  COMPLETED      0:0 ',
      '106_1               arr       h100       root          1     FAILED      1:0 ',
      '106_1.batch       batch                  root          1     FAILED      1:0 ',
      '108            requeued       h100       root          1  COMPLETED      0:0 ',
      '108.batch         batch                  root          1  COMPLETED      0:0 ',
      '',
    ].join('\n'));
  });

  it('-j takes any time (the held job and yesterday\'s too), array ids name every task', async () => {
    expect(await out('-X', '-P', '-n', '-j', '103,105', '-j', '106', '-o', 'JobID,JobIDRaw,State')).toBe(
      '105|105|COMPLETED\n103|103|PENDING\n106_0|107|COMPLETED\n106_1|106|FAILED\n',
    );
    expect(await out('-X', '-P', '-n', '-j', '106_1', '-o', 'JobID,JobIDRaw')).toBe('106_1|106\n');
  });

  it('-j with steps shows only those steps', async () => {
    expect(await out('-P', '-n', '-j', '100.1,100.batch', '-o', 'JobID,JobName,State,ExitCode')).toBe(
      '100.batch|batch|COMPLETED|0:0\n100.1|python|FAILED|2:0\n',
    );
  });

  it('-p ends every field with the delimiter, -P only separates them, --delimiter changes it', async () => {
    expect(await out('-p', '-j', '101', '-o', 'JobID,State')).toBe('JobID|State|\n101|FAILED|\n101.batch|FAILED|\n');
    expect(await out('-P', '--delimiter=;;', '-X', '-j', '101', '-o', 'JobID,ExitCode')).toBe('JobID;;ExitCode\n101;;3:0\n');
  });

  it('-o: names by any leading part in any case, %N widths (right-justified; the last one wins), %-N left-justified', async () => {
    expect(await out('-X', '-j', '102', '-o', 'jobid%5,nodel%-6,STATE%20,state%16,jobname%-7')).toBe([
      'JobID NodeLi            State            State JobName ',
      '----- ------ ---------------- ---------------- ------- ',
      '  102 gpu1     CANCELLED by 0   CANCELLED by 0 cancel+ ',
      '',
    ].join('\n'));
  });

  it('requeued jobs: the latest run, or every run with -D', async () => {
    expect(await out('-P', '-n', '-j', '108', '-o', 'JobID,State,NodeList')).toBe('108|COMPLETED|gpu1\n108.batch|COMPLETED|gpu1\n');
    expect(await out('-P', '-n', '-D', '-j', '108', '-o', 'JobID,State,NodeList')).toBe(
      '108|REQUEUED|gpu2\n108.batch|CANCELLED|gpu2\n108|COMPLETED|gpu1\n108.batch|COMPLETED|gpu1\n',
    );
  });

  it('-S/-E: jobs eligible before the end and not ended before the start; held jobs never', async () => {
    expect(await out('-X', '-P', '-n', '-o', 'JobID', '-S', 'now-2days', '-E', 'now')).toBe('105\n100\n101\n102\n104\n106_0\n106_1\n108\n');
    expect(await out('-X', '-P', '-n', '-o', 'JobID', '-S', 'now-2days', '-E', 'now-23hours')).toBe('105\n');
  });

  it('-s: the jobs in those states during the window; without -S or -E the window is now', async () => {
    expect(await out('-X', '-P', '-n', '-o', 'JobID,State', '-s', 'r,CD')).toBe('104|RUNNING\n');
    // the window ends where it starts unless -E says otherwise
    expect(await out('-X', '-P', '-n', '-o', 'JobID,State', '-s', 'completed,f', '-S', 'now-1hours')).toBe('');
    expect(await out('-X', '-P', '-n', '-o', 'JobID,State', '-s', 'completed,f', '-S', 'now-1hours', '-E', 'now')).toBe(
      '100|COMPLETED\n101|FAILED\n106_0|COMPLETED\n106_1|FAILED\n108|COMPLETED\n',
    );
    expect(await out('-X', '-P', '-n', '-o', 'JobID', '-s', 'CA', '-j', '100,102,103')).toBe('102\n');
  });

  it('--name, -r and -u filter', async () => {
    expect(await out('-X', '-P', '-n', '-o', 'JobID', '--name', 'arr,failing')).toBe('101\n106_0\n106_1\n');
    expect(await out('-X', '-P', '-n', '-o', 'JobID', '-r', 'a100')).toBe('');
    expect(await out('-X', '-P', '-n', '-o', 'JobID', '-u', 'root', '--name', 'steps')).toBe('100\n');
  });

  it('-b, --units, ReqMem and TRES, times and the reason of a pending job', async () => {
    expect(await out('-b', '-j', '102')).toBe([
      'JobID             State ExitCode ',
      '------------ ---------- -------- ',
      '102          CANCELLED+      0:0 ',
      '102.batch     CANCELLED     0:15 ',
      '',
    ].join('\n'));
    expect(await out('-X', '-P', '-n', '-j', '101', '--units=K', '-o', 'ReqMem,AllocTRES')).toBe('1048576K|billing=1,cpu=1,mem=1048576K,node=1\n');
    // a job that never ran has no AllocTRES (golden requests-sacct-tres, recorded from real slurmdbd)
    expect(await out('-X', '-P', '-n', '-j', '103', '-o', 'State,Reason,Start,NodeList,Timelimit,AllocTRES')).toBe(
      'PENDING|JobHeldUser|Unknown|None assigned|01:00:00|\n',
    );
    expect(await out('-X', '-P', '-n', '-j', '101', '-o', 'Elapsed,ElapsedRaw,CPUTimeRAW,Submit,End')).toBe(
      `00:00:10|10|10|${formatIsoLocal(T - 600)}|${formatIsoLocal(T - 580)}\n`,
    );
  });
});

describe('sacct help and errors', () => {
  it('--helpformat, --usage, -V', async () => {
    expect((await out('--helpformat')).split('\n')[0]).toBe('Account             AdminComment        AllocCPUS           AllocNodes         ');
    expect(await out('--usage')).toBe('Usage: sacct [options]\n\tUse --help for help\n');
    expect(await out('-V')).toBe('slurm 22.05.8\n');
  });

  it.each([
    [['-o', 'JobID,Bogus'], 'sacct: error: Invalid field requested: "Bogus"\n'],
    [['-j', 'x1'], 'sacct: fatal: Bad job/step specified: x1\n'],
    [['-j', '1.x'], 'sacct: fatal: Bad step specified: 1.x\n'],
    [['-s', 'XX'], "sacct: fatal: unrecognized job state value 'XX'\n"],
    [['--units=Q'], 'sacct: fatal: Invalid unit type\n'],
    [['-u', 'no-such-user-here'], 'Invalid user id: no-such-user-here\n'],
    [['-S', 'garbage'], 'Invalid time specification (pos=0): garbage\n'],
    [['-z'], "sacct: invalid option -- 'z'\n"],
    [['--bogus'], "sacct: unrecognized option '--bogus'\n"],
    [['-X', 'extra', '-n'], 'sacct: error: Unknown arguments:\nsacct: error:  extra\n'],
  ])('%j', async (argv, stderr) => {
    expect(await run(argv)).toEqual({ exit: 1, stdout: '', stderr });
  });

  it('refuses without accounting storage', async () => {
    expect(await run(['-X'], { conf: NO_ACCOUNTING })).toEqual({ exit: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' });
  });

  it('SACCT_FORMAT sets the default fields', async () => {
    const r = await run(['-X', '-n', '-j', '101'], { env: { SACCT_FORMAT: 'JobID,State%7' } });
    expect(r.stdout).toBe('101           FAILED \n');
  });
});
