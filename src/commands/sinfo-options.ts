/**
 * sinfo's command line (Slurm 22.05 src/sinfo/opts.c): GNU getopt_long with
 * argument permutation, the SINFO_* variables, and the checks sinfo makes
 * before asking the controller anything. Pure: argv and environment in,
 * options or the exact error text out.
 */
import { parseCommandLine, type CommandLineSpec } from '../options/command-line.js';
import { expandHostlist } from '../job/values/hostlist.js';
import { parseStates, VALID_STATES, type StateQuery } from '../format/sinfo/states.js';

export const SINFO_COMMAND_LINE: CommandLineSpec = {
  command: 'sinfo',
  optstring: 'adehi:lM:n:No:O:p:rRsS:t:TvV',
  long: [
    ['all', 'none', 'a'], ['dead', 'none', 'd'], ['exact', 'none', 'e'], ['federation', 'none'], ['help', 'none'],
    ['hide', 'none'], ['iterate', 'required', 'i'], ['local', 'none'], ['long', 'none', 'l'], ['cluster', 'required', 'M'],
    ['clusters', 'required', 'M'], ['nodes', 'required', 'n'], ['noconvert', 'none'], ['noheader', 'none', 'h'],
    ['Node', 'none', 'N'], ['format', 'required', 'o'], ['Format', 'required', 'O'], ['partition', 'required', 'p'],
    ['responding', 'none', 'r'], ['list-reasons', 'none', 'R'], ['summarize', 'none', 's'], ['sort', 'required', 'S'],
    ['states', 'required', 't'], ['reservation', 'none', 'T'], ['usage', 'none'], ['verbose', 'none', 'v'],
    ['version', 'none', 'V'], ['json', 'none'], ['yaml', 'none'],
  ],
  letters: { M: 'clusters' },
  onError: { tryHelp: true, exit: 1 },
};

export interface SinfoOptions {
  all: boolean;
  dead: boolean;
  exact: boolean;
  noHeader: boolean;
  iterate: number;
  long: boolean;
  /** -n: the node names asked for */
  nodes?: string[];
  noConvert: boolean;
  node: boolean;
  /** -o or -O (`long` true) */
  format?: { spec: string; long: boolean };
  partitions?: string[];
  responding: boolean;
  listReasons: boolean;
  summarize: boolean;
  sort?: string;
  states?: StateQuery[];
  reservations: boolean;
}

export type SinfoParse =
  | { kind: 'run'; options: SinfoOptions }
  | { kind: 'print'; stdout: string }
  | { kind: 'help' }
  | { kind: 'usage' }
  | { kind: 'error'; stderr: string; exit: number };

export function parseSinfoArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SinfoParse {
  const o: SinfoOptions = {
    all: false, dead: false, exact: false, noHeader: false, iterate: 0, long: false, noConvert: false, node: false,
    responding: false, listReasons: false, summarize: false, reservations: false,
  };
  const fail = (stderr: string, exit = 1): SinfoParse => ({ kind: 'error', stderr, exit });
  let optA = false;
  let optP = false;
  if (env.SINFO_ALL !== undefined) o.all = true;
  if (env.SINFO_PARTITION !== undefined) {
    o.partitions = env.SINFO_PARTITION.split(',').filter(Boolean);
    o.all = true;
  }
  if (env.SINFO_ALL !== undefined && env.SINFO_PARTITION !== undefined) {
    return fail('sinfo: error: Conflicting options, SINFO_ALL and SINFO_PARTITION, specified. Please choose one or the other.\n');
  }
  if (env.SINFO_SORT !== undefined) o.sort = env.SINFO_SORT;

  // the words that are not options are ignored, as sinfo does
  const parsed = parseCommandLine(SINFO_COMMAND_LINE, argv, env);
  for (const { id, value } of parsed.options) {
    const v = value ?? '';
    switch (id) {
      case 'all': optA = true; o.partitions = undefined; o.all = true; break;
      case 'dead': o.dead = true; break;
      case 'exact': o.exact = true; break;
      case 'noheader': o.noHeader = true; break;
      case 'iterate':
        o.iterate = Number.parseInt(v, 10) || 0;
        if (o.iterate <= 0) return fail(`sinfo: error: Error: invalid entry for --iterate=${v}\n`);
        break;
      case 'long': o.long = true; break;
      case 'noconvert': o.noConvert = true; break;
      case 'nodes': {
        const r = expandHostlist(v);
        if (!r.ok || r.value.length === 0) {
          const log = (!r.ok && r.error.log ? r.error.log : []).map((l) => `sinfo: error: ${l}\n`).join('');
          return fail(`${log}sinfo: error: '${v}' invalid entry for --nodes\n`);
        }
        o.nodes = r.value;
        break;
      }
      case 'Node': o.node = true; break;
      case 'format': o.format = { spec: v, long: false }; break;
      case 'Format': o.format = { spec: v, long: true }; break;
      case 'partition': optP = true; o.partitions = v.split(',').filter(Boolean); o.all = true; break;
      case 'responding': o.responding = true; break;
      case 'list-reasons': o.listReasons = true; break;
      case 'summarize': o.summarize = true; break;
      case 'sort': o.sort = v; break;
      case 'states': {
        const s = parseStates(v);
        if (!s.ok) return fail(`sinfo: error: Bad state string: "${s.bad}"\nsinfo: error: valid states: ${VALID_STATES}\n`);
        o.states = s.states;
        break;
      }
      case 'reservation': o.reservations = true; break;
      case 'version': return { kind: 'print', stdout: 'slurm 22.05.8\n' };
      case 'help': return { kind: 'help' };
      case 'usage': return { kind: 'usage' };
      case 'json': case 'yaml': return fail(`sinfo: error: --${id} is not supported by flow-slurm yet\n`);
      case 'hide': o.all = false; break;
      default: break; // --federation, --local, -M, -v: one cluster, nothing more to show
    }
  }
  if (parsed.error) return fail(parsed.error.stderr, parsed.error.exit);
  if (o.long && o.format) return fail('sinfo: fatal: Options -o(--format) and -l(--long) are mutually exclusive. Please remove one and retry.\n');
  if (optA && optP) return fail('sinfo: error: Conflicting options, -a and -p, specified. Please choose one or the other.\n');
  if (o.listReasons && !o.states) o.states = (parseStates('down,fail,drain') as { ok: true; states: StateQuery[] }).states;
  return { kind: 'run', options: o };
}
