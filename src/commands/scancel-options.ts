/**
 * scancel's command line as Slurm 22.05 reads it (src/scancel/opt.c): its
 * option table through GNU getopt_long with permutation (`scancel 42 -v`), the
 * job ids of the operands (`42`, `42_7`, `42_[1-3]`, `42_*`, `42.0`, commas
 * allowed), and the checks it makes before asking the controller. Pure.
 */
import { parseCommandLine, type CommandLineSpec } from '../options/command-line.js';
import { strtolRest } from '../options/kinds.js';
import { jobStateNum } from '../job/job-states.js';

export const SCANCEL_COMMAND_LINE: CommandLineSpec = {
  command: 'scancel',
  optstring: 'A:bfHiM:n:p:Qq:R:s:t:u:vVw:',
  long: [
    ['account', 'required', 'A'], ['batch', 'none', 'b'], ['ctld', 'none'], ['full', 'none', 'f'], ['help', 'none'],
    ['hurry', 'none', 'H'], ['interactive', 'none', 'i'], ['cluster', 'required', 'M'], ['clusters', 'required', 'M'],
    ['jobname', 'required', 'n'], ['me', 'none'], ['name', 'required', 'n'], ['nodelist', 'required', 'w'],
    ['partition', 'required', 'p'], ['qos', 'required', 'q'], ['quiet', 'none', 'Q'], ['reservation', 'required', 'R'],
    ['sibling', 'required'], ['signal', 'required', 's'], ['state', 'required', 't'], ['usage', 'none'],
    ['user', 'required', 'u'], ['verbose', 'none', 'v'], ['version', 'none', 'V'], ['wckey', 'required'],
  ],
  letters: { M: 'clusters', n: 'name' },
  onError: { tryHelp: true, exit: 1 },
};

export const SCANCEL_USAGE = `Usage: scancel [-A account] [--batch] [--full] [--interactive] [-n job_name]
               [-p partition] [-Q] [-q qos] [-R reservation] [-s signal | integer]
               [-t PENDING | RUNNING | SUSPENDED] [--usage] [-u user_name]
               [--hurry] [-V] [-v] [-w hosts...] [--wckey=wckey]
               [job_id[_array_id][.step_id]]
`;

/** One job id of the command line, as scancel reads it. */
export interface CancelTarget {
  /** as typed (one comma-separated item): how messages name it */
  text: string;
  id: number;
  /** `_7` or `_[1-3]`: these tasks; `_*`: all of them (`'all'`); absent: the job (all of an array) */
  tasks?: number[] | 'all';
  /** `.0`: a step */
  step?: number;
}

export interface ScancelParams {
  targets: CancelTarget[];
  account?: string;
  name?: string;
  partition?: string;
  qos?: string;
  reservation?: string;
  nodelist?: string;
  wckey?: string;
  /** -t: a job state name (PENDING, RUNNING, ...) */
  state?: string;
  /** -u (or --me): as given */
  user?: string;
  signal?: string;
  batch: boolean;
  full: boolean;
  interactive: boolean;
  /** -v counts up, -Q makes it -1 */
  verbose: number;
}

export type ScancelParse =
  | { kind: 'run'; params: ScancelParams }
  | { kind: 'help' }
  | { kind: 'usage' }
  | { kind: 'print'; stdout: string; stderr: string; exit: number };

const fail = (stderr: string): ScancelParse => ({ kind: 'print', stdout: '', stderr, exit: 1 });
const invalidId = (text: string) => fail(`scancel: error: Invalid job id ${text}\n`);

/** An array index set `[1-3,5]` (a hostlist's range syntax, as scancel reads it). */
function taskSet(inner: string): number[] | undefined {
  const out: number[] = [];
  for (const part of inner.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/** _xlate_job_step_ids(): every operand, split at commas outside `[...]`. */
export function parseTargets(operands: readonly string[]): CancelTarget[] | string {
  const out: CancelTarget[] = [];
  const queue = [...operands];
  while (queue.length > 0) {
    const text = queue.shift()!;
    const [id, afterId] = strtolRest(text);
    if (id <= 0) return text;
    let rest = afterId;
    const t: CancelTarget = { text, id };
    if (rest.startsWith('_[')) {
      const close = rest.indexOf(']', 2);
      if (close < 0 || close !== rest.length - 1) return text;
      const tasks = taskSet(rest.slice(2, close));
      if (!tasks) return text;
      out.push({ ...t, tasks });
      continue;
    }
    if (rest.startsWith('_*')) {
      t.tasks = 'all';
      rest = rest.slice(2);
    } else if (rest.startsWith('_')) {
      const [task, after] = strtolRest(rest.slice(1));
      if (task < 0) return text;
      t.tasks = [task];
      rest = after;
    } else if (rest.startsWith('+')) {
      // a hetjob component: scancel acts on the whole job
      const [, after] = strtolRest(rest.slice(1));
      rest = after;
    }
    if (rest.startsWith('.')) {
      const [step, after] = strtolRest(rest.slice(1));
      if (step < 0) return text;
      t.step = step;
      rest = after;
    }
    if (rest.startsWith(',')) {
      t.text = text.slice(0, text.length - rest.length);
      queue.unshift(rest.slice(1));
    } else if (rest !== '') {
      return text;
    }
    out.push(t);
  }
  return out;
}

export function parseScancel(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, uid: number): ScancelParse {
  const cl = parseCommandLine(SCANCEL_COMMAND_LINE, argv, env);
  const p: ScancelParams = { targets: [], batch: false, full: false, interactive: false, verbose: 0 };
  for (const { id, value } of cl.options) {
    const v = value ?? '';
    switch (id) {
      case 'account': p.account = v.toLowerCase(); break;
      case 'batch': p.batch = true; break;
      case 'full': p.full = true; break;
      case 'interactive': p.interactive = true; break;
      case 'me': p.user = String(uid); break;
      case 'name': p.name = v; break;
      case 'partition': p.partition = v; break;
      case 'quiet': p.verbose = -1; break;
      case 'qos': p.qos = v.toLowerCase(); break;
      case 'reservation': p.reservation = v; break;
      case 'signal': p.signal = v; break;
      case 'state': {
        const state = jobStateNum(v);
        if (state === undefined) return fail(`Invalid job state specified: ${v}\nValid job states are PENDING, RUNNING, and SUSPENDED\n`);
        p.state = state;
        break;
      }
      case 'user': p.user = v; break;
      case 'verbose': p.verbose++; break;
      case 'version': return { kind: 'print', stdout: 'slurm 22.05.8\n', stderr: '', exit: 0 };
      case 'nodelist': p.nodelist = v; break;
      case 'wckey': p.wckey = v; break;
      case 'help': return { kind: 'help' };
      case 'usage': return { kind: 'usage' };
      default: break; // --ctld, -H, -M, --sibling: one cluster, no burst buffers
    }
  }
  if (cl.error) return { kind: 'print', stdout: '', stderr: cl.error.stderr, exit: cl.error.exit };
  const targets = parseTargets(cl.operands);
  if (typeof targets === 'string') return invalidId(targets);
  p.targets = targets;
  return { kind: 'run', params: p };
}

/** Whether any filter is given (has_default_opt() false, apart from the signal and -b/-i). */
export const hasFilters = (p: ScancelParams): boolean =>
  [p.account, p.name, p.partition, p.qos, p.reservation, p.state, p.user, p.wckey, p.nodelist].some((x) => x !== undefined);

/** `No active jobs match ALL job filters, including: ...`: the filters in scancel's words. */
export function filterWords(p: ScancelParams): string {
  const words: [string, string | undefined][] = [
    ['account', p.account], ['job_name', p.name], ['nodelist', p.nodelist], ['partition', p.partition], ['qos', p.qos],
    ['reservation', p.reservation], ['state', p.state], ['user_name', p.user], ['wckey', p.wckey],
  ];
  return words.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v} `).join('');
}
