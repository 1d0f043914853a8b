/**
 * Emulated nodes must resolve like real hosts: distributed jobs take their
 * master address from `scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1`
 * and every task connects to it by name. getaddrinfo reads /etc/hosts (there
 * is no per-process alternative: HOSTALIASES is not used by getaddrinfo), so
 * when a node name does not resolve and we run as root, one line per missing
 * name is added there, each node on a loopback address of its own
 * (`127.0.1.N gpu1  # flow-slurm emulated node`): the whole 127/8 reaches this
 * machine, and distinct addresses let two "nodes" listen on the same port.
 * Only missing names are added, addresses already in the file are skipped,
 * other lines are never touched. Not root: we say, once, what line to add.
 * FLOW_ETC_HOSTS=0, or `"etcHosts": false` in flow.json, turns this off;
 * `flow clean --hosts` removes the lines again (they carry HOSTS_MARK).
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import type { FlowConfig } from '../../cluster/flow-config.js';

export const HOSTS_FILE = '/etc/hosts';
export const HOSTS_MARK = '# flow-slurm emulated node';

/** Which hosts file, and whether node names may be added to it. */
export interface HostsPolicy {
  file: string;
  edit: boolean;
}

/** FLOW_HOSTS_FILE names another file (the tests' stand-in for /etc/hosts, which is shared). */
export function hostsPolicy(env: Readonly<Record<string, string | undefined>>, flow: FlowConfig): HostsPolicy {
  return { file: env.FLOW_HOSTS_FILE || HOSTS_FILE, edit: env.FLOW_ETC_HOSTS !== '0' && flow.etcHosts !== false };
}

/** The hosts text without the lines we added (pure); how many went. */
export function withoutNodeLines(text: string): { text: string; removed: number } {
  const lines = text.split('\n');
  const kept = lines.filter((l) => !l.trimEnd().endsWith(HOSTS_MARK));
  return { text: kept.join('\n'), removed: lines.length - kept.length };
}

/** Remove the lines we added to the hosts file (I/O): how many, or the error. */
export function removeNodeLines(file: string): { ok: true; removed: number } | { ok: false; message: string } {
  try {
    const r = withoutNodeLines(readFileSync(file, 'utf8'));
    // written in place, not renamed over: /etc/hosts is often a bind mount (containers)
    if (r.removed > 0) writeFileSync(file, r.text);
    return { ok: true, removed: r.removed };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, message: `cannot rewrite ${file}: ${code === 'EACCES' || code === 'EPERM' ? 'Permission denied (run as root)' : (e as Error).message}` };
  }
}

/** Every host name and address /etc/hosts text mentions. */
function parseHosts(text: string): { names: Set<string>; addresses: Set<string> } {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const raw of text.split('\n')) {
    const [addr, ...hosts] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!addr) continue;
    addresses.add(addr);
    for (const h of hosts) names.add(h);
  }
  return { names, addresses };
}

/** The lines to append for the nodes /etc/hosts lacks (pure): free 127.0.1.x addresses, in node order. */
export function missingHostLines(nodes: readonly string[], hostsText: string, resolvable: ReadonlySet<string> = new Set()): string[] {
  const { names, addresses } = parseHosts(hostsText);
  const out: string[] = [];
  let k = 0;
  const nextAddress = () => {
    for (;; k++) {
      const a = `127.0.${1 + Math.floor(k / 254)}.${1 + (k % 254)}`;
      if (!addresses.has(a)) {
        addresses.add(a);
        return a;
      }
    }
  };
  for (const n of nodes) {
    if (names.has(n) || resolvable.has(n)) continue;
    out.push(`${nextAddress()} ${n}  ${HOSTS_MARK}`);
    names.add(n);
  }
  return out;
}

const handled = new Set<string>();

/**
 * Make the node names resolve (I/O): names not in /etc/hosts are looked up;
 * those that still fail are added (as root) or reported once through `say`.
 */
export async function ensureNodesResolve(
  nodes: readonly string[], say: (line: string) => void, policy: HostsPolicy = { file: HOSTS_FILE, edit: true },
): Promise<void> {
  // turned off: the user resolves node names their own way
  if (!policy.edit) return;
  const hostsFile = policy.file;
  const todo = nodes.filter((n) => !handled.has(n));
  if (todo.length === 0) return;
  let text = '';
  try {
    text = readFileSync(hostsFile, 'utf8');
  } catch {
    // no hosts file: every name is missing
  }
  const { names } = parseHosts(text);
  const unknown = todo.filter((n) => !names.has(n));
  const resolvable = new Set<string>();
  await Promise.all(unknown.map(async (n) => {
    try {
      await lookup(n);
      resolvable.add(n);
    } catch {
      // does not resolve
    }
  }));
  const add = missingHostLines(todo, text, resolvable);
  for (const n of todo) handled.add(n);
  if (add.length === 0) return;
  if (process.getuid?.() === 0) {
    try {
      appendFileSync(hostsFile, `${text === '' || text.endsWith('\n') ? '' : '\n'}${add.join('\n')}\n`);
      return;
    } catch {
      // read-only /etc/hosts: fall through to saying what to add
    }
  }
  say(`flow-slurm: emulated node names do not resolve; for multi-node jobs add to ${hostsFile}:\n${add.join('\n')}`);
}
