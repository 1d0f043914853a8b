/**
 * sinfo's command line (Slurm 22.05 src/sinfo/opts.c): GNU getopt_long with
 * argument permutation, the SINFO_* variables, and the checks sinfo makes
 * before asking the controller anything. Pure: argv and environment in,
 * options or the exact error text out.
 */
import { getopt, type GetoptTable, type LongOption, type ShortOption } from '../options/getopt.js';
import { expandHostlist } from '../spec/values/hostlist.js';
import { parseStates, VALID_STATES, type StateQuery } from '../format/sinfo/states.js';

const OPTIONS: [string, string | undefined, 'none' | 'required'][] = [
  ['all', 'a', 'none'], ['dead', 'd', 'none'], ['exact', 'e', 'none'], ['federation', undefined, 'none'],
  ['future', 'F', 'none'], ['help', undefined, 'none'], ['hide', undefined, 'none'], ['iterate', 'i', 'required'],
  ['local', undefined, 'none'], ['long', 'l', 'none'], ['cluster', 'M', 'required'], ['clusters', 'M', 'required'],
  ['nodes', 'n', 'required'], ['noconvert', undefined, 'none'], ['noheader', 'h', 'none'], ['Node', 'N', 'none'],
  ['format', 'o', 'required'], ['Format', 'O', 'required'], ['partition', 'p', 'required'], ['responding', 'r', 'none'],
  ['list-reasons', 'R', 'none'], ['summarize', 's', 'none'], ['sort', 'S', 'required'], ['states', 't', 'required'],
  ['reservation', 'T', 'none'], ['usage', undefined, 'none'], ['verbose', 'v', 'none'], ['version', 'V', 'none'],
];

// -M's two long names are one option (its id is its letter)
const idOf = (name: string, letter: string | undefined) => (letter === 'M' ? 'clusters' : name);

const TABLE: GetoptTable = {
  long: OPTIONS.map(([name, letter, arg]): LongOption => ({ name, arg, id: idOf(name, letter) })),
  short: new Map(OPTIONS.filter(([, s]) => s).map(([name, s, arg]): [string, ShortOption] => [s!, { letter: s!, arg, id: idOf(name, s) }])),
};

export const USAGE = 'Usage: sinfo [-adelNRrsTv] [-i seconds] [-t states] [-p partition] [-n nodes]\n             [-S fields] [-o format] [-O Format] [--federation] [--local]\n';

export const HELP = `Usage: sinfo [OPTIONS]
  -a, --all                  show all partitions (including hidden and those
                             not accessible)
  -d, --dead                 show only non-responding nodes
  -e, --exact                group nodes only on exact match of configuration
      --federation           Report federated information if a member of one
  -F, --future               Report information about nodes in "FUTURE" state.
  -h, --noheader             no headers on output
  --hide                     do not show hidden or non-accessible partitions
  -i, --iterate=seconds      specify an iteration period
      --local                show only local cluster in a federation.
                             Overrides --federation.
  -l, --long                 long output - displays more information
  -M, --clusters=names       clusters to issue commands to. Implies --local.
                             NOTE: SlurmDBD must be up.
  -n, --nodes=NODES          report on specific node(s)
  --noconvert                don't convert units from their original type
                             (e.g. 2048M won't be converted to 2G).
  -N, --Node                 Node-centric format
  -o, --format=format        format specification
  -O, --Format=format        long format specification
  -p, --partition=PARTITION  report on specific partition
  -r, --responding           report only responding nodes
  -R, --list-reasons         list reason nodes are down or drained
  -s, --summarize            report state summary only
  -S, --sort=fields          comma separated list of fields to sort on
  -t, --states=node_state    specify the what states of nodes to view
  -T, --reservation          show only reservation information
  -v, --verbose              verbosity level
  -V, --version              output version information and exit

Help options:
  --help                     show this help message
  --usage                    display brief usage message
`;

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
  | { kind: 'error'; stderr: string; exit: number };

/** getopt_long in its default mode: options anywhere, the other words left aside (sinfo ignores them). */
function permuted(argv: readonly string[]): ReturnType<typeof getopt> {
  const options = [];
  let rest = argv;
  for (;;) {
    const r = getopt(rest, TABLE);
    if (!r.ok) return r;
    options.push(...r.options);
    if (r.operandIndex >= rest.length || rest[r.operandIndex - 1] === '--') return { ok: true, options, operandIndex: argv.length };
    rest = rest.slice(r.operandIndex + 1);
  }
}

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

  const parsed = permuted(argv);
  if (!parsed.ok) return fail(`sinfo: ${parsed.message}\nTry "sinfo --help" for more information\n`);
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
      case 'help': return { kind: 'print', stdout: HELP };
      case 'usage': return { kind: 'print', stdout: USAGE };
      case 'hide': o.all = false; break;
      default: break; // --federation, --local, -M, -F, -v: one cluster, nothing more to show
    }
  }
  if (optA && optP) return fail('sinfo: error: Conflicting options, -a and -p, specified. Please choose one or the other.\n');
  if (o.listReasons && !o.states) o.states = (parseStates('down,fail,drain') as { ok: true; states: StateQuery[] }).states;
  return { kind: 'run', options: o };
}
