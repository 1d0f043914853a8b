/**
 * `sinfo -t/--states`: state names (any prefix of the compact or long name,
 * case-insensitive, or `all`) and which nodes they select (Slurm's
 * _node_state_id and _filter_out in src/sinfo). Pure.
 */
import { NODE_FLAG, NODE_STATE, NODE_STATE_BASE, type NodeView } from '../../cluster/node-view.js';

/** A state to select: a base state, a flag, or DRAINED/DRAINING. */
export type StateQuery = { kind: 'base'; state: number } | { kind: 'flag'; flag: number } | { kind: 'drained' | 'draining' | 'drain' | 'all' };

const BASES: [number, string, string][] = [
  [NODE_STATE.UNKNOWN, 'UNK', 'UNKNOWN'], [NODE_STATE.DOWN, 'DOWN', 'DOWN'], [NODE_STATE.IDLE, 'IDLE', 'IDLE'],
  [NODE_STATE.ALLOCATED, 'ALLOC', 'ALLOCATED'], [NODE_STATE.ERROR, 'ERROR', 'ERROR'], [NODE_STATE.MIXED, 'MIX', 'MIXED'],
  [NODE_STATE.FUTURE, 'FUTR', 'FUTURE'],
];

/** What `sinfo: error: valid states: ...` lists, as sinfo 22.05.8 lists them (_node_state_list(): each base state's name, then the flags' names; recorded in fixtures/golden/recorded/options.json). */
export const VALID_STATES = 'unknown,down,idle,allocated,?,mixed,future,drain,drained,draining,no_respond,reserved,perfctrs,cloud,completing,powering_down,powered_down,power_down,powering_up,fail,maint,reboot,reboot^,unknown';

const prefixOf = (word: string, name: string) => word.length > 0 && name.toUpperCase().startsWith(word.toUpperCase());

function stateId(word: string): StateQuery | undefined {
  for (const [state, compact, long] of BASES) if (prefixOf(word, compact) || prefixOf(word, long)) return { kind: 'base', state };
  if (prefixOf(word, 'DRAIN')) return { kind: 'drain' };
  if (prefixOf(word, 'DRAINED')) return { kind: 'drained' };
  if (prefixOf(word, 'RESV') || prefixOf(word, 'RESERVED')) return { kind: 'flag', flag: NODE_FLAG.RES };
  if (prefixOf(word, 'DRAINING') || prefixOf(word, 'DRNG')) return { kind: 'draining' };
  if (prefixOf(word, 'COMP') || prefixOf(word, 'COMPLETING')) return { kind: 'flag', flag: NODE_FLAG.COMPLETING };
  if (prefixOf(word, 'NO_RESPOND')) return { kind: 'flag', flag: NODE_FLAG.NO_RESPOND };
  if (prefixOf(word, 'FAIL')) return { kind: 'flag', flag: NODE_FLAG.FAIL };
  if (prefixOf(word, 'MAINT')) return { kind: 'flag', flag: NODE_FLAG.MAINT };
  if (prefixOf(word, 'CLOUD')) return { kind: 'flag', flag: NODE_FLAG.CLOUD };
  if (prefixOf(word, 'PERFCTRS') || prefixOf(word, 'NPC')) return { kind: 'flag', flag: NODE_FLAG.NET };
  return undefined;
}

/** The queries of a `-t` value, or the word Slurm rejects. */
export function parseStates(text: string): { ok: true; states: StateQuery[] } | { ok: false; bad: string } {
  if (text.toLowerCase() === 'all') return { ok: true, states: [{ kind: 'all' }] };
  const states: StateQuery[] = [];
  for (const word of text.split(',').filter((w) => w !== '')) {
    const q = stateId(word);
    if (!q) return { ok: false, bad: word };
    states.push(q);
  }
  return { ok: true, states };
}

/** Does the node match one of the queries? */
export function stateMatches(n: NodeView, states: readonly StateQuery[]): boolean {
  const s = n.state;
  const base = s & NODE_STATE_BASE;
  const drain = (s & NODE_FLAG.DRAIN) !== 0;
  const draining = drain && ((s & NODE_FLAG.COMPLETING) !== 0 || base === NODE_STATE.ALLOCATED || base === NODE_STATE.MIXED);
  return states.some((q) => {
    switch (q.kind) {
      case 'all': return true;
      case 'drain': return drain;
      case 'draining': return draining;
      case 'drained': return drain && !draining;
      case 'flag': return (s & q.flag) !== 0;
      case 'base':
        if (q.state === NODE_STATE.ALLOCATED) return n.allocCpus > 0;
        if (q.state === NODE_STATE.IDLE) return (s & ~NODE_FLAG.NO_RESPOND) === NODE_STATE.IDLE;
        return base === q.state;
    }
  });
}
