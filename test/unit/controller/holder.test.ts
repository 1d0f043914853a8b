/**
 * Lease holders: who holds a controller lease, and when a command can tell at
 * once that the holder is dead (real processes: this one, one that ended, and
 * a pid whose process is not the one that took the lease).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { holderDead, holderHere, holderId, parseHolder } from '../../../src/store/holder.js';

describe('lease holders', () => {
  it('names host, pid, pid namespace and start time', () => {
    const h = parseHolder(holderId());
    expect(h.host).toBe(hostname());
    expect(h.pid).toBe(process.pid);
    expect(h.ns).toMatch(/^\d*$/);
    expect(h.start).toMatch(/^\d*$/);
    expect(holderHere(holderId())).toBe(true);
  });

  it('a live holder is not dead', () => {
    expect(holderDead(holderId())).toBe(false);
  });

  it('a holder whose process ended is dead', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const [host, , ns, , nonce] = holderId().split(':');
    expect(holderDead(`${host}:${child.stdout}:${ns}::${nonce}`)).toBe(true);
  });

  it.runIf(parseHolder(holderId()).start !== '')('a pid that now belongs to another process is dead', () => {
    const [host, pid, ns, start, nonce] = holderId().split(':');
    expect(holderDead(`${host}:${pid}:${ns}:${Number(start) - 1}:${nonce}`)).toBe(true);
  });

  it('a holder on another host, or in another pid namespace, is never taken for dead', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const [, , ns, , nonce] = holderId().split(':');
    expect(holderDead(`elsewhere.example:${child.stdout}:${ns}::${nonce}`)).toBe(false);
    expect(holderDead(`${hostname()}:${child.stdout}:1:${''}:${nonce}`)).toBe(parseHolder(holderId()).ns === '1');
    // an id of an older build (host:pid:nonce) waits for its lease to expire
    expect(holderDead(`${hostname()}:${child.stdout}:abcdef`)).toBe(false);
  });
});
