/**
 * sacct's command line as Slurm 22.05 reads it (src/sacct/options.c): GNU
 * getopt_long in its default, permuting mode (options may follow operands),
 * then the job and state lists, the time window defaults of
 * slurmdb_job_cond_def_start_end(), and the field list. Pure: argv in, a
 * request (or what to print and the exit code) out.
 */
import { parseCommandLine, type CommandLineSpec } from '../options/command-line.js';
import type { Selector } from '../format/sacct/rows.js';
import { BRIEF_FIELDS, DEFAULT_FIELDS, LONG_FIELDS } from '../format/sacct/fields.js';
import { parseColumns, type Column, type PrintMode } from '../format/sacct/print.js';
import { unitOf, type Units } from '../format/sacct/values.js';
import { jobStateNum } from '../job/job-states.js';

export const SACCT_COMMAND_LINE: CommandLineSpec = {
  command: 'sacct',
  optstring: 'aA:bBcC:DeE:f:F:g:hi:I:j:k:K:lLM:nN:o:pPq:r:s:S:Ttu:UvVW:x:X',
  long: [
    ['allusers', 'none', 'a'], ['accounts', 'required', 'A'], ['allocations', 'none', 'X'], ['brief', 'none', 'b'],
    ['batch-script', 'none', 'B'], ['completion', 'none', 'c'], ['constraints', 'required', 'C'], ['delimiter', 'required'],
    ['duplicates', 'none', 'D'], ['federation', 'none'], ['helpformat', 'none', 'e'], ['help-fields', 'none', 'e'],
    ['endtime', 'required', 'E'], ['env-vars', 'none'], ['file', 'required', 'f'], ['flags', 'required', 'F'],
    ['gid', 'required', 'g'], ['group', 'required', 'g'], ['help', 'none', 'h'], ['local', 'none'], ['name', 'required'],
    ['nnodes', 'required', 'i'], ['ncpus', 'required', 'I'], ['jobs', 'required', 'j'], ['timelimit-min', 'required', 'k'],
    ['timelimit-max', 'required', 'K'], ['long', 'none', 'l'], ['allclusters', 'none', 'L'], ['cluster', 'required', 'M'],
    ['clusters', 'required', 'M'], ['nodelist', 'required', 'N'], ['noconvert', 'none'], ['units', 'required'],
    ['noheader', 'none', 'n'], ['fields', 'required', 'o'], ['format', 'required', 'o'], ['parsable', 'none', 'p'],
    ['parsable2', 'none', 'P'], ['qos', 'required', 'q'], ['partition', 'required', 'r'], ['reason', 'required', 'R'],
    ['state', 'required', 's'], ['starttime', 'required', 'S'], ['truncate', 'none', 'T'], ['uid', 'required', 'u'],
    ['use-local-uid', 'none'], ['usage', 'none', 'U'], ['user', 'required', 'u'], ['verbose', 'none', 'v'],
    ['version', 'none', 'V'], ['wckeys', 'required', 'W'], ['whole-hetjob', 'optional'], ['associations', 'required', 'x'],
    ['json', 'none'], ['yaml', 'none'],
  ],
  // -t: the old name of -X
  letters: { M: 'clusters', o: 'format', u: 'user', t: 'allocations' },
  // getopt's own line says it all
  onError: { tryHelp: false, exit: 1 },
};

export interface SacctRequest {
  columns: Column[];
  mode: PrintMode;
  header: boolean;
  json: boolean;
  units: Units;
  /** -j: jobs (and steps) asked for */
  selectors?: Selector[];
  /** the window, epoch seconds, as slurmdbd gets it (end exclusive) */
  window: { start: number; end: number };
  states?: ReadonlySet<string>;
  /** uids; undefined: all users */
  users?: ReadonlySet<number>;
  groups?: ReadonlySet<number>;
  accounts?: ReadonlySet<string>;
  partitions?: ReadonlySet<string>;
  names?: ReadonlySet<string>;
  qos?: ReadonlySet<string>;
  wckeys?: ReadonlySet<string>;
  /** -N: a hostlist expression */
  nodes?: string;
  /** -M: the clusters asked for; undefined: the local one */
  clusters?: ReadonlySet<string>;
  duplicates: boolean;
  allocations: boolean;
  truncate: boolean;
}

/** What parsing decided: run the query, or print this and exit. */
export type SacctParse =
  | { kind: 'query'; request: SacctRequest; warnings: string }
  | { kind: 'help'; which: 'help' | 'helpformat' | 'usage' }
  | { kind: 'print'; stdout: string; stderr: string; code: number };

export interface SacctContext {
  env: Readonly<Record<string, string | undefined>>;
  now: number;
  /** the caller's uid (root sees every user's jobs by default) */
  uid: number;
  /** AccountingStorageType is not accounting_storage/none */
  accounting: boolean;
  /** parse_time() of -S/-E (past = true), seconds; an error message, or silent: parse_time printed nothing */
  parseTime: (text: string) => { ok: true; value: number } | { ok: false; message?: string };
  /** a user or group name (or number) as its id; undefined when unknown */
  uidOf: (name: string) => number | undefined;
  gidOf: (name: string) => number | undefined;
}

/** slurm_addto_char_list(): comma-separated, a leading quote up to its match, no empty items, no duplicates (any case). */
export function charList(text: string, into: string[] = []): string[] {
  let s = text;
  if (s[0] === '"' || s[0] === "'") {
    const q = s.indexOf(s[0], 1);
    s = s.slice(1, q < 0 ? undefined : q);
  }
  for (const item of s.replace(/["']/g, '`').split(',')) {
    if (item !== '' && !into.some((x) => x.toLowerCase() === item.toLowerCase())) into.push(item);
  }
  return into;
}

/** A `-j` item: `42`, `42_7`, `42.batch`, `42_7.0`; a message when Slurm refuses it. */
export function parseSelector(text: string): Selector | string {
  if (!/^\d/.test(text)) return `Bad job/step specified: ${text}`;
  const m = /^(\d+)(?:_(\d+))?(?:\.(.*))?$/.exec(text);
  if (!m) return `Bad job/step specified: ${text}`;
  const sel: Selector = { id: Number(m[1]) };
  if (m[2] !== undefined) sel.task = Number(m[2]);
  const step = m[3];
  if (step !== undefined) {
    if (step === 'batch' || step === 'extern' || step === 'interactive') sel.step = step;
    else if (/^\d+$/.test(step)) sel.step = String(Number(step));
    else return `Bad step specified: ${text}`;
  }
  return sel;
}

/** A `-s` name (any case, long or short) as its long name. */
export const stateName = jobStateNum;

const fail = (stderr: string, code = 1): SacctParse => ({ kind: 'print', stdout: '', stderr, code });

/** Midnight today, local time (the default start without -j or -s). */
function midnight(now: number): number {
  const d = new Date(now * 1000);
  d.setHours(0, 0, 0, 0);
  return Math.floor(d.getTime() / 1000);
}

export function parseSacct(argv: readonly string[], ctx: SacctContext): SacctParse {
  const cl = parseCommandLine(SACCT_COMMAND_LINE, argv, ctx.env);
  const parsed = cl.options;
  const operands = cl.operands;

  let help: 'help' | 'helpformat' | 'usage' | undefined;
  let fieldList = '';
  let brief = false;
  let long = false;
  let allUsers = false;
  let header = true;
  let kind: PrintMode['kind'] = 'fixed';
  let delimiter = '|';
  let json = false;
  let start = 0;
  let end = 0;
  const units: Units = {};
  const selectors: Selector[] = [];
  let jobsGiven = false;
  const states = new Set<string>();
  let users: number[] | undefined;
  let groups: number[] | undefined;
  const lists = new Map<string, string[]>();
  let nodes: string | undefined;
  let clusters: string[] | undefined;
  let allClusters = false;
  let duplicates = false;
  let allocations = false;
  let truncate = false;
  let warnings = '';
  const addList = (key: string, value: string) => lists.set(key, charList(value, lists.get(key) ?? []));

  for (const { id, value } of parsed) {
    const v = value ?? '';
    switch (id) {
      case 'allusers': allUsers = true; break;
      case 'brief': brief = true; break;
      case 'long': long = true; break;
      case 'delimiter': delimiter = v; break;
      case 'duplicates': duplicates = true; break;
      case 'helpformat': help = 'helpformat'; break;
      case 'help': help = 'help'; break;
      case 'usage': help = 'usage'; break;
      case 'version': return { kind: 'print', stdout: 'slurm 22.05.8\n', stderr: '', code: 0 };
      case 'noheader': header = false; break;
      case 'parsable': kind = 'parsable'; break;
      case 'parsable2': kind = 'parsable2'; break;
      case 'format': fieldList += `${v},`; break;
      case 'json': json = true; break;
      case 'yaml': return fail('sacct: error: YAML output is not supported by flow-slurm\n');
      case 'allocations': allocations = true; break;
      case 'truncate': truncate = true; break;
      case 'noconvert': units.noconvert = true; break;
      case 'units': {
        const u = unitOf(v);
        if (u === undefined) return fail('sacct: fatal: Invalid unit type\n');
        units.unit = u;
        break;
      }
      case 'starttime':
      case 'endtime': {
        const t = ctx.parseTime(v);
        if (!t.ok) {
          if (t.message !== undefined) return fail(`${t.message}\n`);
          // parse_time() failed without a word: slurmdbd gets no time
          if (id === 'starttime') start = 0;
          else end = 0;
        } else if (id === 'starttime') start = t.value;
        else end = t.value;
        break;
      }
      case 'jobs': {
        jobsGiven = true;
        for (const item of charList(v)) {
          const sel = parseSelector(item);
          if (typeof sel === 'string') return fail(`sacct: fatal: ${sel}\n`);
          selectors.push(sel);
        }
        break;
      }
      case 'state':
        for (const item of charList(v)) {
          const name = stateName(item);
          if (!name) return fail(`sacct: fatal: unrecognized job state value '${item}'\n`);
          states.add(name);
        }
        break;
      case 'user':
        if (v === '-1') {
          allUsers = true;
          break;
        }
        allUsers = false;
        users ??= [];
        for (const name of charList(v)) {
          const uid = ctx.uidOf(name);
          if (uid === undefined) return fail(`Invalid user id: ${name}\n`);
          if (!users.includes(uid)) users.push(uid);
        }
        break;
      case 'gid':
        groups ??= [];
        for (const name of charList(v)) {
          const gid = ctx.gidOf(name);
          if (gid === undefined) return fail(`Invalid group id: ${name}\n`);
          if (!groups.includes(gid)) groups.push(gid);
        }
        break;
      case 'accounts': case 'partition': case 'name': case 'qos': case 'wckeys': addList(id, v); break;
      case 'nodelist':
        if (nodes !== undefined) warnings += `sacct: error: Aleady asked for nodes '${nodes}'\n`;
        else nodes = v;
        break;
      case 'clusters':
        if (v.toLowerCase() === 'all' || v === '-1') {
          allClusters = true;
          break;
        }
        allClusters = false;
        clusters = charList(v, clusters ?? []);
        break;
      case 'allclusters': allClusters = true; break;
      case 'whole-hetjob':
        if (value !== undefined && !/^(yes|y|no|n)$/i.test(value)) {
          return fail(`sacct: error: Invalid --whole-hetjob value "${value}". Valid values: [yes|no].\n`);
        }
        break;
      default:
        // accepted, nothing to do here (-c, -B, -f, -F, -i, -I, -k, -K, -R, -v, -x, --local, --federation, --env-vars)
        break;
    }
  }

  if (cl.error) return fail(cl.error.stderr, cl.error.exit);
  if (!ctx.accounting) return fail('Slurm accounting storage is disabled\n');

  // the field list: -b and -l add theirs, else SACCT_FORMAT or the default
  if (brief) fieldList += `${BRIEF_FIELDS},`;
  if (long) fieldList += `${LONG_FIELDS},`;
  if (fieldList === '') fieldList = `${ctx.env.SACCT_FORMAT ?? DEFAULT_FIELDS},`;
  const cols = parseColumns(fieldList);
  if (!cols.ok) return fail(`sacct: error: ${cols.message}\n`);

  if (operands.length > 0) {
    return fail(`sacct: error: Unknown arguments:\n${operands.map((o) => `sacct: error:  ${o}\n`).join('')}`);
  }
  if (help) return { kind: 'help', which: help };

  // slurmdb_job_cond_def_start_end(): the window slurmdbd searches, end exclusive
  const withJobs = jobsGiven && selectors.length > 0;
  if (states.size > 0) {
    if (!start && !withJobs) start = ctx.now;
    if (start && !end) end = start;
  } else if (!withJobs && !start) start = midnight(ctx.now);
  if (!end) end = ctx.now;
  if (end === start || end === ctx.now) end++;

  // without -u, -j or -N a user other than root sees only their own jobs
  if (!users && (withJobs || nodes !== undefined)) allUsers = true;
  if (!users && ctx.uid === 0) allUsers = true;
  if (allUsers) users = undefined;
  else users ??= [ctx.uid];

  const set = (key: string) => (lists.has(key) ? new Set(lists.get(key)) : undefined);
  return {
    kind: 'query',
    warnings,
    request: {
      columns: cols.columns,
      mode: { kind, delimiter },
      header,
      json,
      units,
      selectors: withJobs ? selectors : undefined,
      window: { start, end },
      states: states.size > 0 ? states : undefined,
      users: users && new Set(users),
      groups: groups && new Set(groups),
      accounts: set('accounts'),
      partitions: set('partition'),
      names: set('name'),
      qos: set('qos'),
      wckeys: set('wckeys'),
      nodes,
      clusters: allClusters ? undefined : clusters ? new Set(clusters) : undefined,
      duplicates,
      allocations,
      truncate,
    },
  };
}
