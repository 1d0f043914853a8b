/**
 * salloc end to end: every recorded case of fixtures/oracle/salloc (real
 * Slurm 22.05.8, scripts/record-oracle-salloc.sh) is replayed against our
 * commands on a cluster of the same shape: the same command lines (bash -c,
 * our bin/ first on PATH), the same holder jobs, scancel and signals at the
 * same moments, and an interactive shell in tmux typed into as the recorder
 * did. stdout, stderr, the exit code and the job record left behind must be
 * what real salloc gave, once ids, times, the host name and the work
 * directory are masked alike, and the one racy line (below) dropped.
 * Cases that mostly wait (sleeps, holder jobs) replay side by side, each on a
 * private cluster of a pool; the terminal cases run one after another, alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import type { TestCluster } from '../helpers/cluster.js';
import { FIXTURES, ROOT } from '../helpers/oracle.js';
import { ClusterPool, withPool } from '../helpers/pool.js';

interface RecordedJob { raw: string; normalized: string }
interface RecordedRun {
  exit: number;
  stdoutNormalized: string;
  stderrNormalized: string;
  jobs: RecordedJob[];
  whileRunning?: { normalized: string }[];
}
interface Action { when?: string; after?: number; do: 'scancel' | 'signal'; signal?: string }
interface CommandSpec { cmd: string; repeat?: number; holder?: string[]; actions?: Action[]; stdin?: string; env?: Record<string, string>; leftRunning?: boolean; timeout?: number }
interface TtyStep { waitFor?: string; send?: string; key?: string; scancel?: boolean; sleep?: number }
interface Recording {
  case: { name: string; commands?: (string | CommandSpec)[]; start?: string; steps?: TtyStep[]; holder?: string[]; env?: Record<string, string> };
  commands?: { cmd: string; runs: RecordedRun[] }[];
  finalNormalized?: string[];
  exit?: number | null;
  jobs?: RecordedJob[];
}

const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'salloc', `${name}.json`), 'utf8')) as Recording;
const BIN = join(ROOT, 'bin');
const HOST = hostname().split('.')[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Fields of the job record compared with real Slurm's. */
const FIELDS = ['JobName', 'JobState', 'Reason', 'ExitCode', 'BatchFlag', 'TimeLimit', 'Partition', 'NodeList', 'NumNodes', 'NumCPUs', 'NumTasks', 'Command', 'WorkDir'];

function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of line.trim().split(/ (?=[A-Za-z][A-Za-z0-9_/:]*=)/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && FIELDS.includes(part.slice(0, eq))) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * The one racy line: salloc prints `Job allocation N has been revoked.` when
 * slurmctld's job-complete message reaches its message thread before salloc
 * has marked the allocation revoked itself. Real salloc printed it in some of
 * the same runs and not in others (n2-srun-hostname: 2 of 5 after
 * Relinquishing; tty-pending-ctrl-c without, pending-signal with it before
 * `Job aborted due to signal`; refused requests before or after the error), so
 * there it is dropped from both sides. Where it is the news (scancel, signals
 * while the command runs) nothing is dropped.
 */
function withoutRace(text: string): string {
  const lines = text.split('\n');
  // on a terminal the line may follow the echoed Ctrl-C (`^C`), which then stays for the next line
  const revoked = /^(\^C)?salloc: Job allocation \S+ has been revoked\.$/;
  const out: string[] = [];
  let carry = '';
  lines.forEach((l, i) => {
    const racy = revoked.test(l) && (
      /^salloc: Relinquishing job allocation/.test(lines[i - 1] ?? '')
      || lines[i + 1] === 'salloc: Job aborted due to signal'
      || lines.some((x) => /^salloc: error: (Job submit\/allocate failed|Unable to allocate resources)/.test(x)));
    if (racy) {
      carry = l.startsWith('^C') ? '^C' : '';
      return;
    }
    out.push(`${carry}${l}`);
    carry = '';
  });
  return out.join('\n');
}

const pool = new ClusterPool(3);
const pit = withPool(pool);
/** the time limit case: a minute lasts 2 s (the cluster's setting, fixed by its first command) */
const fastPool = new ClusterPool(1, { extraEnv: { FLOW_MINUTE_SECONDS: '2' } });
const fastIt = withPool(fastPool);
afterAll(async () => {
  await Promise.all([pool.destroy(), fastPool.destroy()]);
});

const FINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL'];

/** One recorded case replayed on cluster `c`: its work dir, and job ids labelled in order of creation, as the recorder did. */
class Replay {
  readonly cwd: string;
  private labels: [number, string][] = [];
  private made = 0;
  private holders = 0;

  constructor(readonly c: TestCluster, readonly name: string) {
    this.cwd = join(c.dir, name);
    mkdirSync(this.cwd, { recursive: true });
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.c.env, PATH: `${BIN}:${this.c.env.PATH}`, ...extra };
  }

  /** Every job of the cluster, with its state (without blocking the tests that run beside this one). */
  async jobStates(): Promise<Map<number, string>> {
    const out = (await this.c.runAsync('squeue', ['-h', '-t', 'all', '-o', '%i %T'])).stdout;
    return new Map(out.split('\n').filter(Boolean).map((l) => {
      const [id, state] = l.split(' ');
      return [Number(id), state ?? ''] as const;
    }));
  }

  async allJobs(): Promise<number[]> {
    return [...(await this.jobStates()).keys()];
  }

  /** A recorded command not replayed here: its jobs' labels are used up all the same. */
  skipLabels(n: number): void {
    this.made += n;
  }

  label(ids: number[]): void {
    for (const id of ids.sort((a, b) => a - b)) {
      this.made++;
      this.labels.push([id, this.made === 1 ? '{JOBID}' : `{JOBID_${this.made}}`]);
    }
  }

  async holder(args: string[]): Promise<number> {
    const id = this.c.submit(['-o', '/dev/null', ...args], { cwd: this.cwd });
    this.holders++;
    this.labels.push([id, this.holders === 1 ? '{HOLDER_JOBID}' : `{HOLDER_JOBID_${this.holders}}`]);
    await this.c.waitState(id, ['RUNNING']);
    await sleep(500);
    return id;
  }

  normalize(text: string): string {
    let t = text.replaceAll(this.cwd, '{WORKDIR}')
      .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b/g, '{TIME}')
      .replace(/\b(SLURM_TASK_PID)=\d*/g, '$1={VOLATILE}')
      .replace(/\b(SLURM_SRUN_COMM_PORT|SLURM_STEP_LAUNCHER_PORT)=\d*/g, '$1={PORT}')
      .replace(/((?:AllocNode:Sid|SrunHost:Pid)=[^:\s]*:)\d+/g, '$1{VOLATILE}')
      .replace(/(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9.])/g, '{IPADDR}');
    for (const [id, label] of [...this.labels].sort((a, b) => String(b[0]).length - String(a[0]).length)) {
      t = t.replace(new RegExp(`(?<![0-9])${id}(?![0-9])`, 'g'), label);
    }
    return t.replace(new RegExp(`(?<![A-Za-z0-9])${HOST}(?![A-Za-z0-9])`, 'g'), '{HOSTNAME}');
  }

  /** One command line as the recorder ran it: bash -c in the work dir, actions at their moments. */
  async run(spec: CommandSpec, envExtra: Record<string, string> = {}): Promise<{ exit: number; stdout: string; stderr: string; ids: number[] }> {
    const before = new Set(await this.allJobs());
    const child = spawn('bash', ['-c', spec.cmd], { cwd: this.cwd, env: this.env({ ...envExtra, ...spec.env }), detached: true, stdio: [spec.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (spec.stdin !== undefined) child.stdin!.end(spec.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b) => (stdout += b));
    const pending = [...(spec.actions ?? [])];
    const act = (a: Action) => {
      if (a.do === 'signal') {
        child.kill(`SIG${a.signal}` as NodeJS.Signals);
        return;
      }
      void this.jobStates().then(async (states) => {
        const mine = [...states].filter(([id, state]) => !before.has(id) && !FINAL.includes(state)).map(([id]) => String(id));
        if (mine.length) await this.c.runAsync('scancel', mine);
      });
    };
    const check = () => {
      for (const a of [...pending]) {
        if (!a.when || new RegExp(a.when).test(stderr)) {
          pending.splice(pending.indexOf(a), 1);
          setTimeout(() => act(a), (a.after ?? 0) * 1000);
        }
      }
    };
    child.stderr!.on('data', (b) => {
      stderr += b;
      check();
    });
    check();
    const exit = await new Promise<number>((r) => child.on('close', (code, sig) => r(code ?? (sig ? -1 : 0))));
    await sleep(300);
    const ids = (await this.allJobs()).filter((id) => !before.has(id) && !this.labels.some(([l]) => l === id));
    this.label(ids);
    return { exit, stdout, stderr, ids };
  }

  async job(id: number): Promise<Record<string, string>> {
    return fields(this.normalize((await this.c.runAsync('scontrol', ['show', 'job', '-o', String(id)])).stdout));
  }

  /** Our job's record once it has ended. */
  async finalJob(id: number): Promise<Record<string, string>> {
    for (let i = 0; i < 300; i++) {
      const job = await this.job(id);
      if (FINAL.includes(job.JobState ?? '')) return job;
      await sleep(100);
    }
    throw new Error(`job ${id} did not end`);
  }
}

/**
 * Replay a recorded direct case: every command (and repetition), with its
 * holder and actions; compare each run with the recorded one.
 */
async function replayCase(c: TestCluster, name: string, opts: { skip?: string[]; rewrite?: (cmd: string) => string; stdout?: (recorded: string) => string } = {}): Promise<void> {
  const rec = load(name);
  const r = new Replay(c, name);
  for (const [i, raw] of rec.case.commands!.entries()) {
    const spec: CommandSpec = typeof raw === 'string' ? { cmd: raw } : raw;
    const recorded = rec.commands![i]!;
    if (opts.skip?.includes(spec.cmd)) {
      r.skipLabels(recorded.runs.reduce((n, run) => n + run.jobs.length, 0));
      continue;
    }
    for (const theirs of recorded.runs) {
      const holder = spec.holder ? await r.holder(spec.holder) : undefined;
      const ours = await r.run({ ...spec, cmd: opts.rewrite ? opts.rewrite(spec.cmd) : spec.cmd });
      if (holder) await c.runAsync('scancel', [String(holder)]);
      const running = spec.leftRunning ? await Promise.all(ours.ids.map((id) => r.job(id))) : undefined;
      if (spec.leftRunning) await c.runAsync('scancel', ours.ids.map(String));
      const jobs = await Promise.all(ours.ids.map((id) => r.finalJob(id)));
      const expected = {
        cmd: spec.cmd, exit: theirs.exit,
        stdout: opts.stdout ? opts.stdout(theirs.stdoutNormalized) : theirs.stdoutNormalized,
        stderr: withoutRace(theirs.stderrNormalized),
        jobs: theirs.jobs.map((j) => fields(j.normalized)),
        ...(running ? { running: theirs.whileRunning!.map((j) => fields(j.normalized)) } : {}),
      };
      expect({
        cmd: spec.cmd, exit: ours.exit, stdout: r.normalize(ours.stdout), stderr: withoutRace(r.normalize(ours.stderr)), jobs,
        ...(running ? { running } : {}),
      }).toEqual(expected);
      if (holder) await c.waitState(holder, ['CANCELLED', 'COMPLETED']);
    }
  }
  // nothing is left queued or running
  expect((await c.runAsync('squeue', ['-h', '-o', '%i %T'])).stdout).toBe('');
}

// Every case below mostly waits (its commands' sleeps, holder jobs, signals at their moments): they replay
// side by side, each on a private cluster of the pool; the longest groups first
describe.concurrent('salloc, replayed case by case on clusters of their own', () => {
  describe('salloc\'s allocation ends while its command runs', () => {
    pit('signals to salloc: HUP is passed on, the others end the allocation', async ({ c }) => {
      await replayCase(c, 'signal-running');
    }, 90_000);

    pit('scancel: revoked; the command is signalled only with -K (salloc waits for it)', async ({ c }) => {
      await replayCase(c, 'scancel-running');
    }, 90_000);

    pit('scancel with an srun step running: the step is cancelled as slurmstepd does', async ({ c }) => {
      await replayCase(c, 'scancel-step');
    }, 90_000);

    fastIt('the time limit: TIMEOUT, revoked, the command goes on (a minute lasts 2 s here)', async ({ c }) => {
      // the recorded command outlives the limit by 20 s (100 s in all); here a minute is 2 s, the command 6 s
      await replayCase(c, 'timelimit', { rewrite: (cmd) => cmd.replace('sleep 100', 'sleep 6') });
    }, 90_000);
  });

  describe('salloc refuses what real salloc refuses', () => {
    pit('bad options and impossible requests: messages, exit codes, the failed jobs kept, nothing queued', async ({ c }) => {
      // --time=-5: how a negative limit is taken is another item of the issue (sbatch's too)
      await replayCase(c, 'bad-options', { skip: ['salloc --time=-5 true'] });
    }, 90_000);

    pit('--help, --usage, -h, -V and --version', async ({ c }) => {
      await replayCase(c, 'help');
    }, 90_000);
  });

  describe('salloc waits, and gives up, as real salloc does', () => {
    pit('SIGINT or SIGTERM while waiting: the request is given up', async ({ c }) => {
      await replayCase(c, 'pending-signal');
    }, 90_000);

    pit('-I and --immediate=2 when busy, -I when free', async ({ c }) => {
      await replayCase(c, 'immediate');
    }, 90_000);

    pit('waits while the GPUs are held and is granted when they are free', async ({ c }) => {
      await replayCase(c, 'pending');
    }, 90_000);

    pit('scancel while waiting: cancelled, revoked, exit 1', async ({ c }) => {
      await replayCase(c, 'pending-scancel');
    }, 90_000);

    pit('a request the partition can never hold waits until cancelled', async ({ c }) => {
      await replayCase(c, 'partition-limit');
    }, 90_000);

    pit('--no-shell: granted, exit 0, the allocation stays until scancel', async ({ c }) => {
      await replayCase(c, 'no-shell');
    }, 90_000);
  });

  describe('salloc runs a command in its allocation as real salloc does', () => {
    pit('exit codes: the command\'s code, a signal, a command that cannot be found', async ({ c }) => {
      await replayCase(c, 'exit-codes');
    }, 90_000);

    pit('salloc -N2 srun hostname: one task per node, stdout, stderr, exit code, the job COMPLETED', async ({ c }) => {
      await replayCase(c, 'n2-srun-hostname');
    }, 90_000);

    pit('salloc -N1 bash -c \'echo $SLURM_JOB_ID; srun -n2 true\': the job id, srun refused in one CPU, exit 1, the job FAILED 1:0', async ({ c }) => {
      await replayCase(c, 'n1-jobid-srun-n2');
    }, 90_000);

    pit('-Q drops salloc\'s lines; --bell/--no-bell print nothing without a terminal', async ({ c }) => {
      // -v: real salloc lists its options and the plugins it loads; ours has no such lines (README)
      await replayCase(c, 'quiet-verbose', { skip: ['salloc -v true'] });
    }, 90_000);

    pit('the allocation\'s job record, seen from inside (scontrol, squeue)', async ({ c }) => {
      const rec = load('job-record');
      const r = new Replay(c, 'job-record');
      for (const [i, raw] of rec.case.commands!.entries()) {
        const cmd = raw as string;
        const theirs = rec.commands![i]!.runs[0]!;
        const ours = await r.run({ cmd });
        const [scontrol, squeue] = r.normalize(ours.stdout).split('\n');
        const [theirScontrol, theirSqueue] = theirs.stdoutNormalized.split('\n');
        expect({ exit: ours.exit, scontrol: fields(scontrol!), squeue }).toEqual({ exit: theirs.exit, scontrol: fields(theirScontrol!), squeue: theirSqueue });
      }
    }, 90_000);

    pit('no command: the login shell (passwd) reads stdin', async ({ c }) => {
      // root's login shell on the recorded machine is /bin/bash; here it is the test user's
      await replayCase(c, 'no-command', { stdout: (s) => s.replace('shell=/bin/bash', `shell=${userInfo().shell}`) });
    }, 90_000);
  });

  describe('salloc\'s environment', () => {
    /** What salloc and srun add, not the caller's own variables; this cluster's name and config path differ. */
    const theirs = (env: string) => env.split('\n').filter((l) => /^(SLURM|SLURMD|SRUN|SALLOC)_|^TMPDIR=/.test(l) && !/^(SLURM_CLUSTER_NAME|SLURM_CONF|SLURM_WORKING_CLUSTER)=/.test(l));

    pit('the SLURM_* variables of the command, in salloc\'s order, and of srun\'s tasks inside', async ({ c }) => {
      const rec = load('env');
      const r = new Replay(c, 'env');
      for (const [i, raw] of rec.case.commands!.entries()) {
        const spec: CommandSpec = typeof raw === 'string' ? { cmd: raw } : raw;
        const recorded = rec.commands![i]!.runs[0]!;
        const ours = await r.run(spec);
        const mine = theirs(r.normalize(ours.stdout)).filter((l) => !l.startsWith('FLOW_'));
        const expected = theirs(recorded.stdoutNormalized);
        // srun's tasks: an environment, in no particular order; salloc's: in its order
        const srun = spec.cmd.includes('srun');
        expect({ cmd: spec.cmd, exit: ours.exit, env: srun ? mine.sort() : mine }).toEqual({ cmd: spec.cmd, exit: recorded.exit, env: srun ? expected.sort() : expected });
        expect(r.normalize(ours.stdout)).toMatch(/^SLURM_CLUSTER_NAME=/m);
      }
    }, 90_000);
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

// one after another, with nothing else running: what is typed and when is timed as the recorder timed it
describe.skipIf(!hasTmux)('interactive salloc in a terminal (tmux)', () => {
  const TMUX = ['-L', `flow-salloc-test-${process.pid}`];
  afterAll(() => {
    spawnSync('tmux', [...TMUX, 'kill-server']);
  });

  const capture = (session: string) => {
    const out = spawnSync('tmux', [...TMUX, 'capture-pane', '-p', '-S', '-', '-t', session], { encoding: 'utf8' }).stdout;
    const lines = out.split('\n').filter((l) => !l.startsWith('Pane is dead'));
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines;
  };

  /** Run a recorded tty case: the same start command and keys, in a terminal of the same size. */
  async function replayTty(c: TestCluster, name: string): Promise<void> {
    const rec = load(name);
    const r = new Replay(c, name);
    const home = join(r.cwd, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, '.bashrc'), "PS1='$ '\n");
    const conf = join(r.cwd, 'tmux.conf');
    writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\n');
    const holder = rec.case.holder ? await r.holder(rec.case.holder) : undefined;
    const before = new Set(await r.allJobs());
    const env = { ...r.env(), HOME: home, TERM: 'screen' };
    // tmux started from node often loses a pane's exit status (pane_dead_status stays empty): a shell
    // around salloc writes it down (it shares salloc's process group and ignores the terminal's Ctrl-C)
    const statusFile = join(r.cwd, 'status');
    const salloc = `env -i ${Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ')} ${rec.case.start!.replace(/^salloc/, `${BIN}/salloc`)}`;
    const inner = `sh -c "trap : INT QUIT; ${salloc}; echo \\$? > ${statusFile}"`;
    const session = `t-${name}`;
    expect(spawnSync('tmux', [...TMUX, '-f', conf, 'new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-c', r.cwd, inner]).status).toBe(0);
    for (const step of rec.case.steps!) {
      if (step.waitFor) await c.waitFor(`"${step.waitFor}" on the screen`, () => new RegExp(step.waitFor!, 'm').test(capture(session).join('\n')));
      if (step.send !== undefined) {
        spawnSync('tmux', [...TMUX, 'send-keys', '-t', session, '-l', step.send]);
        spawnSync('tmux', [...TMUX, 'send-keys', '-t', session, 'Enter']);
      }
      if (step.key) spawnSync('tmux', [...TMUX, 'send-keys', '-t', session, step.key]);
      if (step.scancel) c.run('scancel', (await r.allJobs()).filter((id) => !before.has(id)).map(String));
      await sleep((step.sleep ?? 1) * 1000);
    }
    const status = await c.waitFor('salloc to end', () => (existsSync(statusFile) ? Number(readFileSync(statusFile, 'utf8')) : undefined));
    const screen = capture(session);
    spawnSync('tmux', [...TMUX, 'kill-session', '-t', session]);
    if (holder) c.run('scancel', [String(holder)]);
    r.label((await r.allJobs()).filter((id) => !before.has(id)));
    const ids = (await r.allJobs()).filter((id) => !before.has(id));
    const jobs = await Promise.all(ids.map((id) => r.finalJob(id)));
    expect({ screen: withoutRace(screen.map((l) => r.normalize(l)).join('\n')), exit: status, jobs })
      .toEqual({ screen: withoutRace(rec.finalNormalized!.join('\n')), exit: rec.exit, jobs: rec.jobs!.map((j) => fields(j.normalized)) });
  }

  pit('salloc with no command: the login shell; echo $SLURM_JOB_ID, srun hostname, exit', async ({ c }) => {
    await replayTty(c, 'tty-shell');
  }, 60_000);

  pit('Ctrl-C in the shell reaches its job, not salloc', async ({ c }) => {
    await replayTty(c, 'tty-ctrl-c-in-shell');
  }, 60_000);

  pit('Ctrl-C while waiting for the allocation', async ({ c }) => {
    await replayTty(c, 'tty-pending-ctrl-c');
  }, 60_000);

  pit('scancel while the shell waits at its prompt: revoked, the shell stays, srun finds the job expired', async ({ c }) => {
    await replayTty(c, 'tty-scancel');
  }, 60_000);
});
