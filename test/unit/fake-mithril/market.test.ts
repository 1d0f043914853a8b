/**
 * The fake market over time, on a clock the test moves: random sequences of
 * bids placed, cancelled, re-priced, paused and resumed, with machines that
 * record what happens to them. After every tick: capacity holds on the
 * machines, a bid's instances hold machines all together or not at all,
 * every running winner is billed the one spot price (never above its limit),
 * and an instance killed by preemption got its signal file a full notice
 * period before.
 */
import { describe, expect, it } from 'vitest';
import { Faults } from '../../../src/providers/fake-mithril/faults.js';
import { DEFAULT_MARKET, Market, type MachineSpec, type Machines, type SignalFile } from '../../../src/providers/fake-mithril/market.js';
import { formatDollars } from '../../../src/providers/mithril/money.js';
import { rng } from '../../helpers/rng.js';

const ON_HARDWARE = new Set(['STATUS_CONFIRMED', 'STATUS_INITIALIZING', 'STATUS_STARTING', 'STATUS_RUNNING', 'STATUS_PREEMPTING', 'STATUS_RELOCATING', 'STATUS_ERROR']);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly000000000000000000000000 test';

function check(ok: boolean, message: string): void {
  if (!ok) expect.fail(message);
}

/** Machines that only remember when they were told what. */
class Recorder implements Machines {
  noticeAt = new Map<string, number>();
  halts: { fid: string; t: number; notice: number | null }[] = [];
  boots = 0;
  constructor(private readonly clock: () => number) {}
  boot(): Promise<void> {
    this.boots++;
    return Promise.resolve();
  }
  signal(m: MachineSpec, file: SignalFile | null): void {
    if (file) this.noticeAt.set(m.fid, this.clock());
    else this.noticeAt.delete(m.fid);
  }
  halt(m: MachineSpec): void {
    this.halts.push({ fid: m.fid, t: this.clock(), notice: this.noticeAt.get(m.fid) ?? null });
    this.noticeAt.delete(m.fid);
  }
}

function market(seed: number, capacity: number, noticeMs: number, clock: { t: number }) {
  const machines = new Recorder(() => clock.t);
  const m = new Market(
    { ...DEFAULT_MARKET, pools: [{ typeName: 'h100-80gb.sxm.8x', region: 'us-central1-a', capacity }], tickMs: 100, noticeMs, stageMs: 100, subnet: '127.99', quota: 10_000 },
    machines, new Faults(rng(seed)), rng(seed), () => clock.t,
  );
  const project = m.projects[0]!.fid;
  const key = m.addSshKey(project, 'test', KEY, false).fid;
  return { m, machines, project, key };
}

describe('market properties over 1,000 random sequences', () => {
  it('capacity, all-or-nothing machines, one price billed, notice before death', async () => {
    const rand = rng(7);
    let preemptedWithNotice = 0;
    let reclaimed = 0;
    let ticks = 0;
    for (let s = 0; s < 1000; s++) {
      const clock = { t: 1_800_000_000_000 };
      const capacity = 1 + Math.floor(rand() * 6);
      const noticeMs = 200 + Math.floor(rand() * 800);
      const { m, machines, project, key } = market(s, capacity, noticeMs, clock);
      const pool = m.pools[0]!;
      const min = pool.type.minimumCents;
      let n = 0;
      for (let step = 0; step < 40; step++) {
        const r = rand();
        const mine = [...m.bids.values()].filter((b) => !b.synthetic && b.status !== 'Terminated');
        const some = () => mine[Math.floor(rand() * mine.length)]!;
        if (r < 0.35 || mine.length === 0) {
          m.createBid(m.user, {
            project, region: pool.region, instance_type: pool.typeFid, name: `b${++n}`,
            limit_price: formatDollars(min + 100 * Math.floor(rand() * 30)), instance_quantity: 1 + Math.floor(rand() * (capacity + 1)),
            launch_specification: { volumes: [], ssh_keys: [key] },
          });
        } else if (r < 0.45) {
          m.deleteBid(some().fid);
        } else if (r < 0.6) {
          m.updateBid(some().fid, { limit_price: formatDollars(min + 100 * Math.floor(rand() * 30)) });
        } else if (r < 0.65) {
          const b = some();
          m.updateBid(b.fid, { paused: b.status !== 'Paused' });
        }
        // let time pass: a few ticks, sometimes past a whole notice period
        for (let k = 1 + Math.floor(rand() * 6); k > 0; k--) {
          clock.t += 50 + Math.floor(rand() * noticeMs * 0.6);
          m.tick();
          await Promise.resolve(); // machines report booted
          ticks++;
          const where = `sequence ${s} step ${step}`;
          check(m.used(pool) <= capacity, `machines over capacity: ${where}`);
          for (const b of m.bids.values()) {
            const held = b.instances.filter((i) => ON_HARDWARE.has(i.status)).length;
            check(held === 0 || held === b.quantity, `bid ${b.name} holds ${held} of ${b.quantity} machines: ${where}`);
            for (const i of b.instances) {
              const ledger = m.ledger(i);
              const open = ledger[ledger.length - 1];
              const billed = open !== undefined && open.end === null;
              if (i.status === 'STATUS_RUNNING' && b.status === 'Allocated') {
                check(billed && open.priceCents === pool.priceCents, `a running winner is not billed the spot price: ${where} ${JSON.stringify({ ledger, billed: i.billed, price: pool.priceCents, history: pool.history.slice(-3), limit: b.limitCents, events: b.events })}`);
              }
              if (billed) check(open.priceCents <= b.limitCents, `billed above the limit: ${where}`);
              if (!billed) check(i.status !== 'STATUS_RUNNING', `a running instance is not billed: ${where}`);
            }
          }
        }
      }
      for (const h of machines.halts) {
        const inst = m.instances.get(h.fid)!;
        const preempted = inst.statusHistory.some(([t, st]) => t === h.t && st === 'STATUS_PREEMPTED');
        if (!preempted) continue;
        check(h.notice !== null && h.t - h.notice >= noticeMs, `instance ${inst.name} died ${h.notice === null ? 'without notice' : `${h.t - h.notice} ms after its notice`} (sequence ${s})`);
        preemptedWithNotice++;
      }
      reclaimed += [...m.bids.values()].filter((b) => b.events.some((e, k) => e.type === 'Allocated' && b.events[k - 1]?.type === 'Preempted')).length;
    }
    // the sequences did exercise what they check
    expect(ticks).toBeGreaterThan(100_000);
    expect(preemptedWithNotice).toBeGreaterThan(500);
    expect(reclaimed).toBeGreaterThan(100);
  });
});

describe('a preempted bid', () => {
  it('stays Open after its notice and wins again when the price falls', async () => {
    const clock = { t: 1_800_000_000_000 };
    const { m, machines, project, key } = market(1, 1, 1000, clock);
    const pool = m.pools[0]!;
    const mk = (name: string, dollars: string) => m.createBid(m.user, {
      project, region: pool.region, instance_type: pool.typeFid, name, limit_price: dollars, instance_quantity: 1,
      launch_specification: { volumes: [], ssh_keys: [key] },
    });
    const step = async (ms: number) => {
      clock.t += ms;
      m.tick();
      await Promise.resolve();
    };
    const a = mk('a', '$20.00');
    for (let k = 0; k < 6; k++) await step(100);
    expect(a.status).toBe('Allocated');
    expect(a.instances[0]!.status).toBe('STATUS_RUNNING');
    const b = mk('b', '$30.00');
    await step(100);
    expect(a.status).toBe('Preempting');
    expect(a.instances[0]!.status).toBe('STATUS_PREEMPTING');
    expect(pool.priceCents).toBe(2000);
    expect(machines.noticeAt.has(a.instances[0]!.fid)).toBe(true);
    // the notice runs: b waits for the machine
    await step(500);
    expect(b.instances[0]!.status).toBe('STATUS_NEW');
    await step(600);
    expect(a.status).toBe('Open');
    expect(a.instances[0]!.status).toBe('STATUS_PREEMPTED');
    expect(machines.halts.map((h) => h.fid)).toEqual([a.instances[0]!.fid]);
    // billed at the minimum while it ran alone, then at the new spot price (its own limit) through the notice; not while it started
    const ran = a.instances[0]!.statusHistory.find(([, st]) => st === 'STATUS_RUNNING')![0];
    const outbid = a.instances[0]!.statusHistory.find(([, st]) => st === 'STATUS_PREEMPTING')![0];
    expect(m.ledger(a.instances[0]!)).toEqual([
      { priceCents: 800, start: ran, end: outbid },
      { priceCents: 2000, start: outbid, end: clock.t },
    ]);
    expect(m.charged(a.instances[0]!)).toBe(Math.round((800 * Math.floor((outbid - ran) / 1000) + 2000 * Math.floor((clock.t - outbid) / 1000)) / 3600));
    // the machine a gave up goes to b in the same tick
    expect(b.instances[0]!.status).toBe('STATUS_CONFIRMED');
    // b leaves: a wins its machine back, same instance, same disk
    m.deleteBid(b.fid);
    for (let k = 0; k < 6; k++) await step(100);
    expect(a.status).toBe('Allocated');
    expect(a.instances[0]!.status).toBe('STATUS_RUNNING');
    expect(a.events.map((e) => e.type)).toEqual(['Placed', 'Allocated', 'Preempted', 'Allocated']);
  });
});
