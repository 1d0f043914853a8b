/**
 * Who holds a cluster's controller lease, and whether that holder is known to
 * be dead. The lease value names the holder's host, pid, pid namespace and
 * process start time, so a command on the same host (and in the same pid
 * namespace) sees at once that a controller was killed (kill -9, the OOM
 * killer) or that its pid now belongs to another process, without waiting
 * for the lease to run out. A holder elsewhere is trusted until its lease
 * expires: LEASE_MS after its last renewal.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** How long a lease lasts without renewal; the leader renews it every LEASE_MS / 3. */
export const LEASE_MS = 6000;

export interface Holder {
  host: string;
  pid: number;
  /** pid namespace inode ('' where there is no /proc) */
  ns: string;
  /** the process's start time in clock ticks since boot ('' where there is no /proc) */
  start: string;
}

let ownNs: string | undefined;
function pidNamespace(): string {
  if (ownNs === undefined) {
    try {
      ownNs = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '';
    } catch {
      ownNs = '';
    }
  }
  return ownNs;
}

/** The fields of /proc/<pid>/stat after the command name (state first), or undefined without /proc. */
function stat(pid: number | 'self'): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name (field 2) is in parentheses and may hold spaces
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, or undefined when it cannot be read. */
function startTime(pid: number | 'self'): string | undefined {
  return stat(pid)?.[19];
}

/** This process as a lease holder: `host:pid:ns:start:nonce`. */
export function holderId(): string {
  return `${hostname()}:${process.pid}:${pidNamespace()}:${startTime('self') ?? ''}:${Math.random().toString(36).slice(2, 8)}`;
}

export function parseHolder(id: string): Holder {
  const [host = '', pid = '0', ns = '', start = ''] = id.split(':');
  return { host, pid: Number(pid), ns, start };
}

/** The holder runs (or ran) on this host, in this pid namespace: its pid means something here. */
export function holderHere(id: string): boolean {
  const h = parseHolder(id);
  return h.host === hostname() && h.ns === pidNamespace() && h.pid > 0;
}

/** A process of this pid runs (perhaps another user's); one that exited but was not yet reaped (a zombie) does not. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return stat(pid)?.[0] !== 'Z';
}

/** True only when this process can tell that the holder no longer runs. */
export function holderDead(id: string): boolean {
  if (!holderHere(id)) return false;
  const h = parseHolder(id);
  if (!pidAlive(h.pid)) return true;
  // alive, or another user's: is it still the same process?
  const now = h.start ? startTime(h.pid) : undefined;
  return now !== undefined && now !== h.start;
}
