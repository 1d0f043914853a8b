/**
 * Golden scenarios (fixtures/golden): one step runner for both sides, and the
 * masking that makes real Slurm's output and ours comparable.
 *
 * - scripts/record-golden.sh runs a scenario against REAL Slurm 22.05 (a
 *   private copy of the oracle cluster with slurmdbd, restarted empty before
 *   every scenario) and writes the raw results to fixtures/golden/recorded/.
 * - replay(scenario, cluster) runs the same steps against OUR commands (bin/,
 *   through a TestCluster) and returns the same structure.
 * - mask(text, context, rules) replaces what legitimately differs between two
 *   runs (job ids by label, times, host, user, cluster, directories, and, per
 *   query, durations/epochs/columns that depend on timing). Recordings are raw;
 *   masking happens when comparing, so the rules can change without re-recording.
 *
 * This module must stay free of vitest and of TestCluster at run time: the
 * recorder bundles it with esbuild and runs it under plain node.
 */
import { spawnAsync } from './spawn.js';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo, hostname as osHostname } from 'node:os';
import { basename, join } from 'node:path';
import type { TestCluster } from './cluster.js';

// ------------------------------------------------------------------ types

/** A masking rule of one query (applied to both sides, after `select`, before the standard rules). */
export type MaskRule =
  | 'dur' // durations [D-][HH:]MM:SS -> <DUR>, the padding around it -> one space (elapsed/used/left times)
  | 'epoch' // epoch seconds (JSON "*_time" values, 10-digit 16..-19.. numbers) -> <EPOCH>
  | 'node' // scontrol show node: CPULoad, FreeMem, OS, boot/start times
  | { re: string; to: string; flags?: string } // regex replacement (JS syntax, 'g' added)
  | { field: number; sep: string }; // the Nth field (0-based) of every line split by sep -> '*'

export interface QueryStep {
  query: string[];
  id: string;
  /** the client whose exact invocation this is (documentation) */
  client?: string;
  note?: string;
  /** stdin for the command (placeholders expanded) */
  input?: string;
  /** extra environment for the command (e.g. POSIXLY_CORRECT) */
  env?: Record<string, string>;
  /** post-filter applied to both sides' stdout before masking: keep lines matching grep, then the first `head` lines */
  select?: { grep?: string; head?: number };
  mask?: MaskRule[];
  /** what is compared (default all three) */
  compare?: Array<'stdout' | 'stderr' | 'exit'>;
}

export interface SubmitStep {
  submit: string[];
  /** scenario script name, inline text (contains a newline), or a path under fixtures/scripts */
  script?: string;
  /** file name for an inline script (default <label>.sh) */
  scriptName?: string;
  /** feed the script on stdin and give no path (Open OnDemand, batchspawner) */
  stdin?: boolean;
  as?: string;
  env?: Record<string, string>;
}

export interface WaitStep {
  wait: {
    /** label, or a template such as "{A}_7" */
    job?: string;
    state?: string | string[];
    reason?: string;
    /** array: at least this many records (squeue -r) in `state` */
    min?: number;
    /** sacct: the allocation row of this label has `state` (and, with `steps`, these step rows exist) */
    sacct?: string;
    steps?: string[];
    /** no job COMPLETING/CONFIGURING, no node in a transitional state */
    settled?: boolean;
    /** a file of the scenario's directory (a template such as "slurm-{A}.out") holds the text `contains` */
    output?: string;
    contains?: string;
    timeout?: number;
  };
}

export type Step =
  | SubmitStep
  | WaitStep
  /** `as`: label the job the command made (salloc: its `Granted job allocation N` line) */
  | { run: string[]; input?: string; note?: string; as?: string }
  | { sleep: number }
  | QueryStep;

export interface Scenario {
  name: string;
  description?: string;
  /** named job scripts, written into the work dir on first use */
  scripts?: Record<string, string>;
  /** extra environment for OUR side only (e.g. FLOW_MINUTE_SECONDS, which shrinks the 121 s requeue delay) */
  replayEnv?: Record<string, string>;
  /**
   * `shared`: recorded on the shared oracle as it was (accounting_storage/none, other users' jobs
   * around: the scenario must not depend on them) and replayed on fixtures/oracle/slurm.conf;
   * default: the private slurmdbd-mode cluster, restarted empty (fixtures/golden/slurm.conf)
   */
  cluster?: 'shared';
  steps: Step[];
}

export interface CommandResult {
  exit: number;
  stdout: string;
  stderr: string;
}

export interface StepRecord extends Partial<CommandResult> {
  step: number;
  kind: 'submit' | 'wait' | 'run' | 'sleep' | 'query';
  argv?: string[];
  label?: string;
  jobId?: number | null;
  id?: string;
  /** seconds since the scenario started */
  t: number;
  timedOut?: boolean;
  gaveUp?: string;
  observed?: string;
}

export interface GoldenContext {
  labels: Record<string, number>;
  /** label -> array task index -> the task's own job id (JobIDRaw / squeue %A) */
  arrayTasks: Record<string, Record<string, number>>;
  user: string;
  uid: number;
  group: string;
  gid: number;
  host: string;
  cwd: string;
  cluster: string;
  /** SLURM_CONF of the run */
  conf: string;
  /** ISO time (seconds) the scenario started */
  start: string;
}

export interface QueryRecord extends CommandResult {
  id: string;
  argv: string[];
  t: number;
}

export interface GoldenRun {
  source?: string;
  scenario: string;
  context: GoldenContext;
  steps: StepRecord[];
  queries: QueryRecord[];
}

/** How the runner reaches a cluster: real Slurm or ours. */
export interface Backend {
  kind: 'slurm' | 'flow';
  cwd: string;
  cluster: string;
  conf: string;
  run(argv: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<CommandResult>;
  /** longest a wait may take on this side (seconds); default: the step's own timeout */
  maxWait?: number;
}

// ------------------------------------------------------------------ paths

const HERE = typeof __dirname === 'string' ? __dirname : new URL('.', import.meta.url).pathname;
/** repository root; the recorder (bundled elsewhere) sets FLOW_GOLDEN_ROOT */
export const GOLDEN_ROOT = process.env.FLOW_GOLDEN_ROOT ?? join(HERE, '..', '..');
export const GOLDEN_DIR = join(GOLDEN_ROOT, 'fixtures', 'golden');

export function loadScenario(name: string): Scenario {
  return JSON.parse(readFileSync(join(GOLDEN_DIR, 'scenarios', `${name}.json`), 'utf8')) as Scenario;
}

export function loadRecording(name: string): GoldenRun | undefined {
  const p = join(GOLDEN_DIR, 'recorded', `${name}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as GoldenRun) : undefined;
}

// ------------------------------------------------------------------ placeholders

const pad = (n: number): string => String(n).padStart(2, '0');
function isoMinute(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** {A} -> id of label A; {START} (YYYY-MM-DDTHH:MM:SS), {START_HOUR} (..THH:00), {USER}, {CWD}. */
export function expand(arg: string, ctx: { labels: Record<string, number>; start: Date; user: string; cwd: string }): string {
  return arg.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (all, name: string) => {
    if (name === 'START') return `${isoMinute(ctx.start)}:${pad(ctx.start.getSeconds())}`;
    if (name === 'START_HOUR') return `${isoMinute(ctx.start).slice(0, 13)}:00`;
    if (name === 'USER') return ctx.user;
    if (name === 'CWD') return ctx.cwd;
    const id = ctx.labels[name];
    return id === undefined ? all : String(id);
  });
}

// ------------------------------------------------------------------ runner

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

function isQuery(s: Step): s is QueryStep {
  return 'query' in s;
}

/** Run a scenario's steps on one backend. Never throws for a failing command: it is recorded. */
export async function runScenario(scenario: Scenario, backend: Backend): Promise<GoldenRun> {
  const start = new Date();
  const t0 = Date.now();
  const t = (): number => Math.round((Date.now() - t0) / 100) / 10;
  const me = userInfo();
  const groupName = groupOf(me.gid);
  const labels: Record<string, number> = {};
  const xctx = { labels, start, user: me.username, cwd: backend.cwd };
  const steps: StepRecord[] = [];
  const queries: QueryRecord[] = [];
  const written = new Set<string>();
  mkdirSync(backend.cwd, { recursive: true });

  const scriptFile = (s: SubmitStep): { name?: string; text?: string } => {
    if (s.script === undefined) return {};
    let text: string;
    let name: string;
    const named = scenario.scripts?.[s.script];
    if (named !== undefined) {
      name = s.script;
      text = named;
    } else if (s.script.includes('\n')) {
      name = s.scriptName ?? `${(s.as ?? 'job').toLowerCase()}.sh`;
      text = s.script;
    } else {
      name = basename(s.script);
      text = readFileSync(join(GOLDEN_ROOT, 'fixtures', 'scripts', s.script), 'utf8');
    }
    if (!written.has(name)) {
      writeFileSync(join(backend.cwd, name), text, { mode: 0o755 });
      written.add(name);
    }
    return { name, text };
  };

  const resolveJob = (job: string): string | undefined => {
    const e = job.includes('{') ? expand(job, xctx) : labels[job] !== undefined ? String(labels[job]) : undefined;
    return e === undefined || e.includes('{') ? undefined : e;
  };

  for (const [i, s] of scenario.steps.entries()) {
    if ('submit' in s) {
      const f = scriptFile(s);
      const args = s.submit.map((a) => expand(a, xctx));
      const argv = ['sbatch', ...(args.includes('--parsable') ? [] : ['--parsable']), ...args];
      if (f.name && !s.stdin) argv.push(f.name);
      const r = await backend.run(argv, { input: s.stdin ? f.text : undefined, env: s.env });
      const m = /^(\d+)(;\S+)?\n$/.exec(r.stdout);
      const jobId = r.exit === 0 && m ? Number(m[1]) : null;
      if (s.as && jobId !== null) labels[s.as] = jobId;
      steps.push({ step: i, kind: 'submit', argv, label: s.as, jobId, t: t(), ...r });
    } else if ('wait' in s) {
      const w = s.wait;
      const limit = Math.min(w.timeout ?? 60, backend.maxWait ?? Infinity) * 1000;
      const end = Date.now() + limit;
      const rec: StepRecord = { step: i, kind: 'wait', t: 0 };
      const target = w.sacct ?? w.job;
      const id = target ? resolveJob(target) : undefined;
      const file = w.output === undefined ? undefined : join(backend.cwd, expand(w.output, xctx));
      if (file !== undefined) {
        // a job's own output says how far its script got (a trap is set before it prints)
        for (;;) {
          const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
          rec.observed = text.slice(-200);
          if (text.includes(w.contains ?? '')) break;
          if (Date.now() > end) {
            rec.timedOut = true;
            break;
          }
          await sleepMs(200);
        }
      } else if (target && id === undefined) {
        rec.gaveUp = `no job for ${target}`;
      } else {
        for (;;) {
          const probe = await waitProbe(backend, w, id);
          rec.observed = probe.observed;
          if (probe.done) break;
          if (probe.giveUp) {
            rec.gaveUp = probe.giveUp;
            break;
          }
          if (Date.now() > end) {
            rec.timedOut = true;
            break;
          }
          await sleepMs(200);
        }
      }
      rec.t = t();
      steps.push(rec);
    } else if ('run' in s) {
      const argv = s.run.map((a) => expand(a, xctx));
      const r = await backend.run(argv, { input: s.input });
      const made = s.as ? /job allocation (\d+)/.exec(r.stderr) : null;
      if (s.as && made) labels[s.as] = Number(made[1]);
      steps.push({ step: i, kind: 'run', argv, label: s.as, jobId: made ? Number(made[1]) : undefined, t: t(), ...r });
    } else if ('sleep' in s) {
      await sleepMs(s.sleep * 1000);
      steps.push({ step: i, kind: 'sleep', t: t() });
    } else if (isQuery(s)) {
      const argv = s.query.map((a) => expand(a, xctx));
      const r = await backend.run(argv, { input: s.input === undefined ? undefined : expand(s.input, xctx), env: s.env });
      queries.push({ id: s.id, argv, t: t(), ...r });
      steps.push({ step: i, kind: 'query', id: s.id, t: t() });
    }
  }

  const arrayTasks = await collectArrayTasks(backend, labels);
  // clean up: cancel every job this scenario created (finished ones are unaffected)
  const ids = Object.values(labels);
  if (ids.length) await backend.run(['scancel', ...ids.map(String)]);

  return {
    scenario: scenario.name,
    context: {
      labels,
      arrayTasks,
      user: me.username,
      uid: me.uid,
      group: groupName,
      gid: me.gid,
      host: osHostname(),
      cwd: backend.cwd,
      cluster: backend.cluster,
      conf: backend.conf,
      start: start.toISOString().slice(0, 19),
    },
    steps,
    queries,
  };
}

function groupOf(gid: number): string {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(gid) && f[0]) return f[0];
    }
  } catch {
    // no /etc/group
  }
  return String(gid);
}

async function waitProbe(backend: Backend, w: WaitStep['wait'], id: string | undefined): Promise<{ done?: boolean; giveUp?: string; observed?: string }> {
  if (w.settled) {
    const q = await backend.run(['squeue', '-h', '-t', 'CG,CF', '-o', '%i']);
    if (q.exit !== 0) return { giveUp: `squeue -t CG,CF: exit ${q.exit}` };
    if (q.stdout.trim() !== '') return { observed: q.stdout.trim() };
    const n = await backend.run(['sinfo', '-h', '-N', '-o', '%t']);
    if (n.exit !== 0) return { done: true, observed: 'sinfo unavailable' };
    const bad = n.stdout.split('\n').filter((l) => l && !/^(idle|mix|alloc)$/.test(l));
    return bad.length ? { observed: bad.join(',') } : { done: true };
  }
  const want = w.state === undefined ? undefined : Array.isArray(w.state) ? w.state : [w.state];
  if (w.sacct) {
    const r = await backend.run(['sacct', '-n', '-P', '-j', id!, '-o', 'JobID,State']);
    if (r.exit !== 0) return { giveUp: `sacct: exit ${r.exit} ${r.stderr.trim()}` };
    const rows = r.stdout.split('\n').filter(Boolean).map((l) => l.split('|'));
    const alloc = rows.find((f) => f[0] === id);
    const okState = !want || (alloc !== undefined && want.includes((alloc[1] ?? '').split(' ')[0] ?? ''));
    const okSteps = (w.steps ?? []).every((st) => rows.some((f) => f[0] === `${id}.${st}` && !/RUNNING|PENDING/.test(f[1] ?? '')));
    return { done: okState && okSteps, observed: rows.map((f) => f.join('|')).join(';') };
  }
  const r = await backend.run(['squeue', '-h', '-t', 'all', ...(w.min !== undefined ? ['-r'] : []), '-j', id!, '-o', '%i|%T|%r']);
  if (r.exit !== 0) return { giveUp: `squeue: exit ${r.exit} ${r.stderr.trim()}` };
  const rows = r.stdout.split('\n').filter(Boolean).map((l) => l.split('|'));
  const match = (f: string[]): boolean => (!want || want.includes(f[1] ?? '')) && (w.reason === undefined || f[2] === w.reason);
  const observed = rows.map((f) => f.join('|')).join(';');
  if (w.min !== undefined) return { done: rows.filter(match).length >= w.min, observed };
  const own = rows.find((f) => f[0] === id) ?? rows[0];
  if (!own) return { observed: 'absent' };
  if (match(own)) return { done: true, observed };
  const state = own[1] ?? '';
  if (FINAL.has(state) && want && !want.some((x) => FINAL.has(x))) return { giveUp: `final state ${state}`, observed };
  return { observed };
}

/** label -> task index -> the task's own job id, from squeue -r and sacct (whichever answers). */
async function collectArrayTasks(backend: Backend, labels: Record<string, number>): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [label, id] of Object.entries(labels)) {
    const tasks: Record<string, number> = {};
    const q = await backend.run(['squeue', '-h', '-t', 'all', '-r', '-j', String(id), '-o', '%i|%A']);
    if (q.exit === 0) {
      for (const line of q.stdout.split('\n')) {
        const m = /^(\d+)_(\d+)\|(\d+)$/.exec(line);
        if (m?.[2] && Number(m[1]) === id && Number(m[3]) !== id) tasks[m[2]] = Number(m[3]);
      }
    }
    const a = await backend.run(['sacct', '-n', '-P', '-X', '-j', String(id), '-o', 'JobID,JobIDRaw']);
    if (a.exit === 0) {
      for (const line of a.stdout.split('\n')) {
        const m = /^(\d+)_(\d+)\|(\d+)$/.exec(line);
        if (m?.[2] && Number(m[1]) === id && Number(m[3]) !== id) tasks[m[2]] ??= Number(m[3]);
      }
    }
    if (Object.keys(tasks).length) out[label] = tasks;
  }
  return out;
}

// ------------------------------------------------------------------ masking

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function applySelect(text: string, select: QueryStep['select']): string {
  if (!select) return text;
  let lines = text.split('\n');
  const trailing = text.endsWith('\n');
  if (trailing) lines.pop();
  if (select.grep) {
    const re = new RegExp(select.grep);
    lines = lines.filter((l) => re.test(l));
  }
  if (select.head !== undefined) lines = lines.slice(0, select.head);
  return lines.length ? `${lines.join('\n')}${trailing ? '\n' : ''}` : '';
}

function applyRule(text: string, rule: MaskRule): string {
  if (rule === 'dur') {
    // [D-][H]H:MM:SS or M:SS, not part of a longer token (ISO times are already <TIME>; not
    // ExitCode=0:15, an exit status and signal) -> <DUR>. Its width varies with time
    // (9:59 -> 10:00) and so does the column padding around it: a run of spaces on either
    // side becomes one space.
    return text.replace(
      /( *)(?<![\w:./-])(?<!ExitCode=)((?:\d+-)?(?:\d+:)?\d+:\d\d)(?![\w:])( *)/g,
      (_all: string, lead: string, _d: string, trail: string) => `${lead ? ' ' : ''}<DUR>${trail ? ' ' : ''}`,
    );
  }
  if (rule === 'epoch') {
    // squeue --json "*_time" keys (a running job without limit ends 365 days later: 6090870257),
    // then any epoch of 2020-2033 (sacct --json "time": {"start": ...})
    return text.replace(/("[a-z_]*(?:_time|_evaluation)": )\d+/g, '$1<EPOCH>').replace(/(?<!\d)1[6-9]\d{8}(?!\d)/g, '<EPOCH>');
  }
  if (rule === 'node') {
    return text
      .replace(/CPULoad=\S+/g, 'CPULoad=<LOAD>')
      .replace(/FreeMem=\S+/g, 'FreeMem=<MEM>')
      .replace(/OS=.*?(?= {2,}|\n|$| RealMemory=)/g, 'OS=<OS>')
      .replace(/ExtSensorsJoules=\S+ ExtSensorsWatts=\S+ ExtSensorsTemp=\S+/g, 'ExtSensors=<EXT>');
  }
  if ('re' in rule) return text.replace(new RegExp(rule.re, `g${rule.flags ?? ''}`), rule.to);
  const sep = rule.sep;
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes(sep)) return line;
      const f = line.split(sep);
      if (rule.field < f.length) f[rule.field] = '*';
      return f.join(sep);
    })
    .join('\n');
}

/** ISO times YYYY-MM-DDTHH:MM:SS -> <TIME>; squeue -l's "Mon Dec 07 13:06:55 2026" (day zero-padded, as Slurm prints it) -> <CTIME> */
function maskTimes(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/g, '<TIME>')
    .replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d \d{4}\b/g, '<CTIME>');
}

/**
 * Mask what differs between two correct runs. Times first (ISO -> <TIME>, ctime ->
 * <CTIME>), then the per-query rules, then, always:
 *  - the work dir and SLURM_CONF (and its directory) -> <CWD>, <CONF>, <CONFDIR> (also JSON-escaped)
 *  - --json core indices ("3": "allocated") -> "<CORE>": "allocated"
 *  - every job id the scenario labelled -> {LABEL} (so 1000_5 -> {A}_5, 1000_[15-99%10] ->
 *    {A}_[15-99%10], 1000.batch -> {A}.batch), array tasks' own ids -> {A#5}
 *  - the host name -> <HOST>, the cluster name -> <CLUSTER>, the user/group -> <USER>/<GROUP>,
 *    the uid/gid where they are labelled as such (UserId=u(N), "by N", "user_id": N) -> <UID>/<GID>,
 *    AllocNode:Sid=<host>:<pid> -> <ALLOCNODE>:<SID>
 */
export function mask(text: string, ctx: GoldenContext, rules: MaskRule[] = []): string {
  // times first: a query's 'dur' rule would otherwise eat the clock inside a ctime
  // (squeue -l's header "Sat Nov 28 20:40:00 2026"), leaving its date to compare
  let out = maskTimes(text);
  for (const r of rules) out = applyRule(out, r);
  // directories (longest first)
  const dirs: Array<[string, string]> = [
    [ctx.cwd, '<CWD>'],
    [ctx.conf, '<CONF>'],
    [ctx.conf.replace(/\/[^/]*$/, ''), '<CONFDIR>'],
  ];
  // --json output escapes slashes (\/): mask those spellings too
  for (const [d, ph] of [...dirs]) dirs.push([d.replace(/\//g, '\\/'), ph]);
  dirs.sort((a, b) => b[0].length - a[0].length);
  for (const [d, ph] of dirs) if (d && d !== '/' && d !== '\\/') out = out.split(d).join(ph);
  // which cores a job gets depends on whether jobs before it had ended yet: timing, not behaviour
  out = out.replace(/"\d+": "allocated"/g, '"<CORE>": "allocated"');
  // job ids, one pass over every digit run
  const ids = new Map<string, string>();
  for (const [label, tasks] of Object.entries(ctx.arrayTasks ?? {})) for (const [k, v] of Object.entries(tasks)) ids.set(String(v), `{${label}#${k}}`);
  for (const [label, id] of Object.entries(ctx.labels)) ids.set(String(id), `{${label}}`);
  if (ids.size) out = out.replace(/(?<!\d)\d+(?!\d)/g, (n) => ids.get(n) ?? n);
  // identities
  out = out.replace(/\b(UserId|GroupId)=(\S+?)\((\d+)\)/g, (_a, k: string, name: string) => `${k}=${name}(${k === 'UserId' ? '<UID>' : '<GID>'})`);
  out = out.replace(/\bby \d+\b/g, 'by <UID>');
  // slurmctld names the submit host by reverse-resolving the munge credential's address
  // ("localhost" on the oracle machine): host-specific, like the session id
  out = out.replace(/\bAllocNode:Sid=\S+?:\d+/g, 'AllocNode:Sid=<ALLOCNODE>:<SID>');
  out = out.replace(/"user_id": \d+/g, '"user_id": <UID>').replace(/"group_id": \d+/g, '"group_id": <GID>');
  if (ctx.host && ctx.host !== 'localhost') out = out.replace(new RegExp(`\\b${escapeRe(ctx.host)}\\b`, 'g'), '<HOST>');
  if (ctx.cluster) out = out.replace(new RegExp(`\\b${escapeRe(ctx.cluster)}\\b`, 'g'), '<CLUSTER>');
  if (ctx.user) out = out.replace(new RegExp(`\\b${escapeRe(ctx.user)}\\b`, 'g'), '<USER>');
  if (ctx.group && ctx.group !== ctx.user) out = out.replace(new RegExp(`\\b${escapeRe(ctx.group)}\\b`, 'g'), '<GROUP>');
  return out;
}

/** A query's result as compared: selected, masked, restricted to `compare`. */
export function masked(q: CommandResult, ctx: GoldenContext, step: QueryStep): Partial<CommandResult> {
  const rules = step.mask ?? [];
  const all: CommandResult = {
    exit: q.exit,
    stdout: mask(applySelect(q.stdout, step.select), ctx, rules),
    stderr: mask(q.stderr, ctx, rules),
  };
  const keys = step.compare ?? ['stdout', 'stderr', 'exit'];
  const out: Partial<CommandResult> = {};
  for (const k of ['exit', 'stdout', 'stderr'] as const) if (keys.includes(k)) (out as Record<string, unknown>)[k] = all[k];
  return out;
}

export function queryStepsOf(scenario: Scenario): QueryStep[] {
  return scenario.steps.filter(isQuery);
}

// ------------------------------------------------------------------ backends

/**
 * Command output as text, byte for byte: valid UTF-8 as it is, every byte of
 * an invalid sequence as `\\xNN` (Slurm pads and cuts fixed-width columns by
 * bytes, so a cut can fall inside a character; a plain UTF-8 decode would make
 * any two such cuts look alike).
 */
export function outputText(bytes: Buffer | null | undefined): string {
  if (!bytes?.length) return '';
  const text = bytes.toString('utf8');
  if (!text.includes('\uFFFD') || Buffer.from(text).equals(bytes)) return text;
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = utf8Length(bytes, i);
    if (n > 0) {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    } else out += `\\x${bytes[i++]!.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at i, 0 if there is none. */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i]!;
  const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n <= 1 || i + n > b.length) return n === 1 ? 1 : 0;
  for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  const text = b.toString('utf8', i, i + n);
  return text.length > 0 && !text.includes('\uFFFD') ? n : 0;
}

/**
 * Real Slurm: <cmd> found on PATH=/usr/bin:/bin (so argv[0] is the bare name, as when a
 * client runs it: getopt messages read "squeue: ...") with a clean environment (as
 * scripts/record-oracle*.sh).
 */
export function slurmBackend(opts: { conf: string; cwd: string; cluster: string }): Backend {
  const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', USER: userInfo().username, SLURM_CONF: opts.conf };
  return {
    kind: 'slurm',
    cwd: opts.cwd,
    cluster: opts.cluster,
    conf: opts.conf,
    async run(argv, o = {}) {
      const r = await spawnAsync(argv[0] ?? '', argv.slice(1), { cwd: opts.cwd, env: { ...env, ...o.env }, input: o.input ?? '', timeout: 60_000 });
      return { exit: r.status, stdout: outputText(r.stdoutBytes), stderr: outputText(r.stderrBytes) };
    },
  };
}

/** Ours: bin/<cmd> through a TestCluster (FirstJobId=1000, its own cluster name and Redis keys). */
export function flowBackend(cluster: TestCluster, scenario: string, opts: { maxWait?: number } = {}): Backend {
  const cwd = join(cluster.dir, 'golden', scenario);
  return {
    kind: 'flow',
    cwd,
    cluster: cluster.name,
    conf: cluster.conf,
    maxWait: opts.maxWait,
    async run(argv, o = {}) {
      const cmd = argv[0] ?? '';
      // our commands by path (bin/<cmd>); anything else (cat) as on the real side
      const ours = existsSync(join(GOLDEN_ROOT, 'bin', cmd));
      const r = await spawnAsync(ours ? join(GOLDEN_ROOT, 'bin', cmd) : cmd, argv.slice(1), { cwd, env: { ...cluster.env, ...o.env }, input: o.input ?? '', timeout: 60_000 });
      return { exit: r.status, stdout: outputText(r.stdoutBytes), stderr: outputText(r.stderrBytes) };
    },
  };
}

/** Run a scenario against our implementation; the same structure the recorder writes. */
export async function replay(scenario: Scenario, cluster: TestCluster, opts: { maxWait?: number } = {}): Promise<GoldenRun> {
  const backend = flowBackend(cluster, scenario.name, opts);
  rmSync(backend.cwd, { recursive: true, force: true });
  return runScenario(scenario, backend);
}
