/**
 * The fake Mithril market's state and its clock: accounts, pools (capacity
 * of an instance type in a region), bids, instances, ssh keys, the price
 * history and the billing ledger. Every tick it re-runs each pool's auction
 * (auction.ts, pure) and moves bids and instances along their documented
 * statuses:
 *
 *   bid:      Open → Allocated → Preempting (notice) → Open ... → Terminated; Paused aside
 *   instance: STATUS_NEW (waits for a free machine) → CONFIRMED → INITIALIZING
 *             → STARTING → RUNNING → PREEMPTING → PREEMPTED (or back to RUNNING when
 *             the bid wins again within the notice); RELOCATING, ERROR, PAUSED, TERMINATED
 *
 * Machines (machines.ts) are the I/O: processes that boot, get the signal
 * file, and are halted. The market calls them; it never waits on them,
 * except that an instance reports RUNNING once its machine has booted.
 *
 * A request that cannot be served throws a Problem, FastAPI's HTTPException:
 * the server turns it into `{detail}` with its status.
 */
import { randomBytes } from 'node:crypto';
import { clear, winningPrice, type Clearing } from './auction.js';
import { CATALOG, auctionFid, typeFid, type CatalogType } from './catalog.js';
import { arrivals, initialBidders, type DemandConfig } from './demand.js';
import type { Faults } from './faults.js';
import type { PoolSpec } from './options.js';
import { formatDollars, parseDollars } from '../mithril/money.js';
import type { BidStatus, CreateBidRequest, InstanceStatus, LaunchSpecification, UpdateBidRequest } from '../mithril/schemas.js';

export class Problem extends Error {
  /** `loc`: for a 422, where in the request (FastAPI's loc list) */
  constructor(readonly status: number, readonly detail: string, readonly loc: (string | number)[] = ['body']) {
    super(detail);
  }
}

export interface MarketConfig {
  pools: PoolSpec[];
  tickMs: number;
  /** preemption notice (the real one is 5 minutes) */
  noticeMs: number;
  /** how long an instance spends in CONFIRMED, INITIALIZING and STARTING */
  stageMs: number;
  /** how long a relocation keeps an instance away (the docs: about 5 minutes) */
  relocateMs: number;
  /** instances a project may hold in live bids */
  quota: number;
  demand: DemandConfig | null;
  /** the first two octets of the instances' addresses: `127.N` */
  subnet: string;
  /** where instances' sshd listen (on their own address) */
  sshPort: number;
  projectNames: string[];
  userEmail: string;
}

export const DEFAULT_MARKET: Omit<MarketConfig, 'pools' | 'subnet'> = {
  tickMs: 1000,
  noticeMs: 5 * 60_000,
  stageMs: 2000,
  relocateMs: 5 * 60_000,
  quota: 64,
  demand: null,
  sshPort: 22,
  projectNames: ['default'],
  userEmail: 'emulator@flow-slurm.invalid',
};

/** What a machine needs to know of its instance. */
export interface MachineSpec {
  fid: string;
  name: string;
  hostname: string;
  ip: string;
  sshPort: number;
  bid: string;
  authorizedKeys: string[];
  startupScript: string | null;
}

/** The contents of the instance's signal file (/opt/mithril/MITHRIL_SIGNAL.yml on a real instance). */
export interface SignalFile {
  instance_status: 'STATUS_PREEMPTING' | 'STATUS_RELOCATING';
  bid_status: string;
  end_time: string;
}

export interface Machines {
  /** start the machine (sshd; the startup script on its first boot); resolves when it can be reached */
  boot(m: MachineSpec, first: boolean): Promise<void>;
  /** write (or, with null, remove) its signal file */
  signal(m: MachineSpec, file: SignalFile | null): void;
  /** power it off: every process of the instance dies */
  halt(m: MachineSpec): void;
}

export interface User {
  id: string;
  fid: string;
  email: string;
  name: string;
  orgId: string;
}

export interface Project {
  fid: string;
  name: string;
  createdAt: number;
}

export interface SshKey {
  fid: string;
  name: string;
  project: string;
  publicKey: string;
  createdAt: number;
  required: boolean;
}

export interface Pool {
  type: CatalogType;
  region: string;
  typeFid: string;
  aucFid: string;
  capacity: number;
  priceCents: number;
  /** the spot price when instances were last allocated ("last instance price") */
  lastAllocationCents: number;
  clearing: Clearing;
  /** the spot price at each change: [ms, cents] */
  history: [number, number][];
  /** its bids that are not terminated: what a tick looks at */
  live: Set<Bid>;
}

export interface BidEvent {
  t: number;
  type: 'Placed' | 'Paused' | 'Resumed' | 'Terminated' | 'Allocated' | 'Preempted' | 'Limit Price Changed';
  limitCents?: number;
}

export interface Bid {
  fid: string;
  name: string;
  project: string;
  createdBy: string;
  createdAt: number;
  deactivatedAt: number | null;
  limitCents: number;
  quantity: number;
  pool: Pool;
  launch: LaunchSpecification;
  status: BidStatus;
  seq: number;
  instances: Instance[];
  events: BidEvent[];
  /** while Preempting: when the notice ends */
  noticeEnds: number | null;
  /** background demand: no machines, not listed */
  synthetic: boolean;
  expiresAt: number | null;
  /** a synthetic bid's machines in use (it has no instances of its own) */
  holding: number;
}

export interface LedgerPeriod {
  priceCents: number;
  start: number;
  end: number | null;
}

export interface Instance {
  fid: string;
  name: string;
  bid: Bid;
  createdAt: number;
  status: InstanceStatus;
  since: number;
  /** the status to return to when a preemption notice is withdrawn */
  before: InstanceStatus | null;
  statusHistory: [number, InstanceStatus][];
  ip: string | null;
  /** it has booted once (the startup script runs on the first boot only) */
  booted: boolean;
  /** its machine: off, booting (processes may run), or on (reachable: RUNNING may be reported) */
  power: 'off' | 'booting' | 'on';
  extraStartMs: number;
  /** while RELOCATING: when it comes back */
  backAt: number | null;
  /** when it was billed: [from, to], `to` null while it still is (prices come from the pool's history) */
  billed: [number, number | null][];
}

/** Statuses in which an instance holds a machine of the pool. */
const ON_HARDWARE = new Set<InstanceStatus>(['STATUS_CONFIRMED', 'STATUS_INITIALIZING', 'STATUS_STARTING', 'STATUS_RUNNING', 'STATUS_PREEMPTING', 'STATUS_RELOCATING', 'STATUS_ERROR']);
const STARTING_STAGES: InstanceStatus[] = ['STATUS_CONFIRMED', 'STATUS_INITIALIZING', 'STATUS_STARTING'];
const LIVE_BID = new Set<BidStatus>(['Open', 'Allocated', 'Preempting']);

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export function newFid(prefix: string): string {
  const bytes = randomBytes(16);
  let s = '';
  for (const b of bytes) s += BASE62[b % 62];
  return `${prefix}${s}`;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** A host name from an instance name: what `hostname` prints on the instance. */
export function hostnameOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'instance';
}

export class Market {
  readonly user: User;
  readonly projects: Project[];
  readonly pools: Pool[];
  readonly bids = new Map<string, Bid>();
  readonly instances = new Map<string, Instance>();
  readonly sshKeys = new Map<string, SshKey>();
  readonly #keys = new Set<string>();
  #seq = 0;
  #nextAddress = 0;
  #last: number;
  #synthetic: Project;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    readonly config: MarketConfig,
    private readonly machines: Machines,
    readonly faults: Faults,
    private readonly random: () => number,
    readonly now: () => number = Date.now,
  ) {
    const t = now();
    this.#last = t;
    // where addresses start: two emulators on one machine rarely meet
    this.#nextAddress = Math.floor(Math.random() * 60_000);
    this.user = { id: newFid(''), fid: newFid('user_'), email: config.userEmail, name: 'emulator', orgId: newFid('org_') };
    this.projects = config.projectNames.map((name) => ({ fid: newFid('proj_'), name, createdAt: t }));
    this.#synthetic = { fid: newFid('proj_'), name: '(market)', createdAt: t };
    this.pools = config.pools.map((p) => {
      const type = CATALOG.find((c) => c.name === p.typeName)!;
      const empty = clear({ capacity: p.capacity, minimumCents: type.minimumCents, bids: [] });
      return {
        type, region: p.region, typeFid: typeFid(type.name, p.region), aucFid: auctionFid(type.name, p.region), capacity: p.capacity,
        priceCents: type.minimumCents, lastAllocationCents: type.minimumCents, clearing: empty, history: [[t, type.minimumCents]], live: new Set(),
      };
    });
    if (config.demand) {
      for (const pool of this.pools) {
        for (const s of initialBidders(config.demand, { capacity: pool.capacity, minimumCents: pool.type.minimumCents, referenceCents: pool.type.referenceCents }, random)) {
          this.#placeSynthetic(pool, s.limitCents, s.quantity, t + Math.round(s.lifetimeMs * random()));
        }
      }
    }
  }

  // ---- clock

  start(): void {
    this.#timer ??= setInterval(() => this.tick(), this.config.tickMs);
    this.#timer.unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  // ---- accounts

  addApiKey(key: string): void {
    this.#keys.add(key);
  }

  authenticate(key: string | undefined): User | null {
    return key !== undefined && this.#keys.has(key) ? this.user : null;
  }

  project(fid: string): Project {
    const p = this.projects.find((x) => x.fid === fid);
    if (!p) throw new Problem(404, `Project ${fid} not found`);
    return p;
  }

  // ---- ssh keys

  addSshKey(project: string, name: string, publicKey: string, required: boolean): SshKey {
    this.project(project);
    if (!/^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-\S+) [A-Za-z0-9+/=]+( .*)?$/.test(publicKey.trim())) {
      throw new Problem(400, 'Invalid SSH public key');
    }
    const key: SshKey = { fid: newFid('sshkey_'), name, project, publicKey: publicKey.trim(), createdAt: this.now(), required };
    this.sshKeys.set(key.fid, key);
    return key;
  }

  // ---- bids

  pool(typeFidOrName: string, region: string | undefined): Pool | undefined {
    return this.pools.find((p) => (p.typeFid === typeFidOrName || p.type.name === typeFidOrName) && (region === undefined || p.region === region));
  }

  #limit(text: string, pool: Pool): number {
    const cents = parseDollars(text);
    if (cents === null) throw new Problem(422, `Value error, limit_price must be a dollar amount like "$12.50", not ${JSON.stringify(text)}`, ['body', 'limit_price']);
    if (cents < pool.type.minimumCents) {
      throw new Problem(400, `Limit price below minimum: ${text} is below the minimum of ${formatDollars(pool.type.minimumCents)} for ${pool.type.name} in ${pool.region}`);
    }
    return cents;
  }

  #liveInstances(project: string): number {
    let n = 0;
    for (const b of this.bids.values()) if (b.project === project && b.status !== 'Terminated') n += b.quantity;
    return n;
  }

  createBid(user: User, req: CreateBidRequest): Bid {
    this.project(req.project);
    const known = this.pools.filter((p) => p.typeFid === req.instance_type);
    const regionKnown = this.pools.some((p) => p.region === req.region);
    if (known.length === 0) {
      const other = this.pools.some((p) => p.type.name === req.instance_type) ? ` (use the fid of ${req.instance_type} from /v2/spot/availability)` : '';
      throw new Problem(400, `Unknown instance type: ${req.instance_type}${other}`);
    }
    if (!regionKnown) throw new Problem(400, `Unknown region: ${req.region}`);
    const pool = known.find((p) => p.region === req.region);
    if (!pool) throw new Problem(400, `Instance type ${req.instance_type} is not available in region ${req.region}`);
    const limitCents = this.#limit(req.limit_price, pool);
    if (req.instance_quantity < 1) throw new Problem(422, 'Input should be greater than or equal to 1', ['body', 'instance_quantity']);
    if (req.name.trim() === '') throw new Problem(422, 'Value error, name must not be empty', ['body', 'name']);
    for (const b of this.bids.values()) {
      if (b.project === req.project && b.name === req.name && b.status !== 'Terminated') throw new Problem(400, `Bid name already used: ${req.name}`);
    }
    const script = req.launch_specification.startup_script;
    if (script && script.length > 10_000) throw new Problem(400, `Startup script is ${script.length} characters long; the limit is 10000`);
    const keys = req.launch_specification.ssh_keys;
    for (const k of keys) {
      const key = this.sshKeys.get(k);
      if (!key || key.project !== req.project) throw new Problem(400, `SSH key ${k} not found in project ${req.project}`);
    }
    const required = [...this.sshKeys.values()].filter((k) => k.project === req.project && k.required && !keys.includes(k.fid));
    if (required.length > 0) throw new Problem(400, `Required SSH keys missing from the launch specification: ${required.map((k) => k.fid).join(', ')}`);
    if (keys.length === 0 && [...this.sshKeys.values()].every((k) => k.project !== req.project)) {
      throw new Problem(400, 'No SSH keys: add one to the project (POST /v2/ssh-keys) and name it in launch_specification.ssh_keys');
    }
    if (req.launch_specification.volumes.length > 0) throw new Problem(400, `Volume ${req.launch_specification.volumes[0]} not found`);
    const held = this.#liveInstances(req.project);
    if (held + req.instance_quantity > this.config.quota) {
      throw new Problem(400, `Quota exceeded: the project holds ${held} instances in live bids, and ${req.instance_quantity} more would pass its quota of ${this.config.quota}`);
    }
    const t = this.now();
    const bid: Bid = {
      fid: newFid('bid_'), name: req.name, project: req.project, createdBy: user.fid, createdAt: t, deactivatedAt: null, limitCents,
      quantity: req.instance_quantity, pool, launch: req.launch_specification, status: 'Open', seq: ++this.#seq, instances: [],
      events: [{ t, type: 'Placed', limitCents }], noticeEnds: null, synthetic: false, expiresAt: null, holding: 0,
    };
    this.bids.set(bid.fid, bid);
    pool.live.add(bid);
    return bid;
  }

  #placeSynthetic(pool: Pool, limitCents: number, quantity: number, expiresAt: number): void {
    const t = this.now();
    const bid: Bid = {
      fid: newFid('bid_'), name: `market-${this.#seq + 1}`, project: this.#synthetic.fid, createdBy: 'user_market', createdAt: t, deactivatedAt: null,
      limitCents, quantity, pool, launch: { volumes: [], ssh_keys: [] }, status: 'Open', seq: ++this.#seq, instances: [],
      events: [{ t, type: 'Placed', limitCents }], noticeEnds: null, synthetic: true, expiresAt, holding: 0,
    };
    this.bids.set(bid.fid, bid);
    pool.live.add(bid);
  }

  /** A bid of one of the user's projects (synthetic bids are nobody's to see). */
  bid(fid: string): Bid {
    const b = this.bids.get(fid);
    if (!b || b.synthetic) throw new Problem(404, `Bid ${fid} not found`);
    return b;
  }

  updateBid(fid: string, change: UpdateBidRequest): Bid {
    const bid = this.bid(fid);
    if (bid.status === 'Terminated') throw new Problem(400, `Bid ${fid} is terminated`);
    const t = this.now();
    if (change.volumes !== undefined && change.volumes !== null && change.volumes.length > 0) throw new Problem(400, `Volume ${change.volumes[0]} not found`);
    if (change.limit_price !== undefined && change.limit_price !== null) {
      bid.limitCents = this.#limit(change.limit_price, bid.pool);
      bid.events.push({ t, type: 'Limit Price Changed', limitCents: bid.limitCents });
    }
    if (change.paused === true && bid.status !== 'Paused') {
      for (const i of bid.instances) this.#stopInstance(i, 'STATUS_PAUSED', t);
      bid.status = 'Paused';
      bid.noticeEnds = null;
      bid.events.push({ t, type: 'Paused' });
    } else if (change.paused === false && bid.status === 'Paused') {
      bid.status = 'Open';
      bid.events.push({ t, type: 'Resumed' });
    }
    return bid;
  }

  deleteBid(fid: string): void {
    const bid = this.bid(fid);
    if (bid.status === 'Terminated') return;
    this.#terminate(bid, this.now());
  }

  #terminate(bid: Bid, t: number): void {
    for (const i of bid.instances) this.#stopInstance(i, 'STATUS_TERMINATED', t);
    bid.status = 'Terminated';
    bid.deactivatedAt = t;
    bid.noticeEnds = null;
    bid.events.push({ t, type: 'Terminated' });
    bid.pool.live.delete(bid);
  }

  // ---- what the pricing paths show

  winningPrice(pool: Pool, quantity: number): number | null {
    return winningPrice(this.#auctionInput(pool), quantity);
  }

  /** Instances of the pool on its machines now. */
  used(pool: Pool): number {
    let n = 0;
    for (const b of pool.live) {
      n += b.holding;
      for (const i of b.instances) if (ON_HARDWARE.has(i.status)) n++;
    }
    return n;
  }

  // ---- the tick

  #auctionInput(pool: Pool) {
    const bids = [];
    for (const b of pool.live) {
      if (LIVE_BID.has(b.status)) bids.push({ id: b.fid, limitCents: b.limitCents, quantity: b.quantity, seq: b.seq });
    }
    return { capacity: pool.capacity, minimumCents: pool.type.minimumCents, bids };
  }

  tick(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.#last);
    this.#last = t;
    for (const pool of this.pools) {
      this.#demand(pool, t, elapsed);
      this.#clear(pool, t);
      this.#advance(pool, t);
      for (const b of pool.live) for (const i of b.instances) this.#bill(i, t);
    }
  }

  #demand(pool: Pool, t: number, elapsed: number): void {
    for (const b of pool.live) {
      if (b.synthetic && b.expiresAt !== null && b.expiresAt <= t) {
        this.bids.delete(b.fid);
        pool.live.delete(b);
      }
    }
    if (!this.config.demand || elapsed === 0) return;
    const prices = { capacity: pool.capacity, minimumCents: pool.type.minimumCents, referenceCents: pool.type.referenceCents };
    for (const s of arrivals(this.config.demand, prices, elapsed, this.random)) this.#placeSynthetic(pool, s.limitCents, s.quantity, t + s.lifetimeMs);
  }

  #clear(pool: Pool, t: number): void {
    const clearing = clear(this.#auctionInput(pool));
    pool.clearing = clearing;
    if (clearing.priceCents !== pool.priceCents || pool.history.length === 0) pool.history.push([t, clearing.priceCents]);
    pool.priceCents = clearing.priceCents;
    if (pool.history.length > 100_000) pool.history.splice(0, pool.history.length - 100_000);
    let allocated = false;
    for (const b of pool.live) {
      if (!LIVE_BID.has(b.status)) continue;
      const wins = clearing.winners.has(b.fid);
      if (b.status === 'Open' && wins) {
        this.#allocate(b, t);
        allocated = true;
      } else if (b.status === 'Allocated' && !wins) {
        this.#preempt(b, t);
      } else if (b.status === 'Preempting') {
        if (wins) this.#reclaim(b, t);
        else if (b.noticeEnds !== null && t >= b.noticeEnds) this.#endNotice(b, t);
      }
    }
    if (allocated) pool.lastAllocationCents = clearing.priceCents;
  }

  #setStatus(i: Instance, status: InstanceStatus, t: number): void {
    if (i.status === status) return;
    i.status = status;
    i.since = t;
    i.statusHistory.push([t, status]);
  }

  #allocate(b: Bid, t: number): void {
    b.status = 'Allocated';
    b.events.push({ t, type: 'Allocated', limitCents: b.limitCents });
    if (b.synthetic) return;
    if (b.instances.length === 0) {
      for (let k = 0; k < b.quantity; k++) {
        const fid = newFid('inst_');
        const name = `${b.name}-${k}`;
        const i: Instance = {
          fid, name, bid: b, createdAt: t, status: 'STATUS_NEW', since: t, before: null, statusHistory: [[t, 'STATUS_NEW']],
          ip: null, booted: false, power: 'off', extraStartMs: 0, backAt: null, billed: [],
        };
        b.instances.push(i);
        this.instances.set(fid, i);
      }
    } else {
      // the same instances come back (their disks were kept); they wait for machines again
      for (const i of b.instances) this.#setStatus(i, 'STATUS_NEW', t);
    }
  }

  #preempt(b: Bid, t: number): void {
    b.events.push({ t, type: 'Preempted', limitCents: b.limitCents });
    const running = b.instances.some((i) => i.power !== 'off');
    if (b.synthetic || !running) {
      // nothing runs yet: there is nobody to warn
      b.holding = 0;
      for (const i of b.instances) this.#stopInstance(i, 'STATUS_PREEMPTED', t);
      b.status = 'Open';
      return;
    }
    b.status = 'Preempting';
    b.noticeEnds = t + this.config.noticeMs;
    for (const i of b.instances) {
      i.before = i.status;
      this.#setStatus(i, 'STATUS_PREEMPTING', t);
      if (i.power !== 'off') this.machines.signal(this.#spec(i), { instance_status: 'STATUS_PREEMPTING', bid_status: 'Preempting', end_time: iso(b.noticeEnds) });
    }
  }

  #reclaim(b: Bid, t: number): void {
    b.status = 'Allocated';
    b.noticeEnds = null;
    b.events.push({ t, type: 'Allocated', limitCents: b.limitCents });
    for (const i of b.instances) {
      this.#setStatus(i, i.before ?? 'STATUS_RUNNING', t);
      i.before = null;
      if (i.power !== 'off') this.machines.signal(this.#spec(i), null);
    }
  }

  #endNotice(b: Bid, t: number): void {
    for (const i of b.instances) this.#stopInstance(i, 'STATUS_PREEMPTED', t);
    b.status = 'Open';
    b.noticeEnds = null;
  }

  /** Power an instance off into a final (or paused) status. */
  #stopInstance(i: Instance, status: InstanceStatus, t: number): void {
    if (i.status === 'STATUS_TERMINATED') return;
    this.#setStatus(i, status, t);
    i.before = null;
    i.backAt = null;
    this.#powerOff(i, t);
  }

  #powerOff(i: Instance, t: number): void {
    const wasOn = i.power !== 'off';
    i.power = 'off';
    this.#bill(i, t);
    if (wasOn) this.machines.halt(this.#spec(i));
  }

  #address(): string {
    const k = this.#nextAddress++;
    return `${this.config.subnet}.${Math.floor(k / 254) % 256}.${1 + (k % 254)}`;
  }

  #spec(i: Instance): MachineSpec {
    return {
      fid: i.fid, name: i.name, hostname: hostnameOf(i.name), ip: i.ip ?? '', sshPort: this.config.sshPort, bid: i.bid.fid,
      authorizedKeys: i.bid.launch.ssh_keys.map((k) => this.sshKeys.get(k)?.publicKey).filter((k): k is string => k !== undefined),
      startupScript: i.bid.launch.startup_script ?? null,
    };
  }

  /** Start-up stages, machines for waiting instances, relocations and their faults. */
  #advance(pool: Pool, t: number): void {
    let free = pool.capacity - this.used(pool);
    const stage = this.config.stageMs;
    const bids = [...pool.live].filter((b) => b.status === 'Allocated').sort((a, b) => a.seq - b.seq);
    for (const b of bids) {
      if (b.synthetic) {
        if (b.holding === 0 && b.quantity <= free) {
          b.holding = b.quantity;
          free -= b.quantity;
        }
        continue;
      }
      const waiting = b.instances.filter((i) => i.status === 'STATUS_NEW');
      if (waiting.length > 0 && waiting.length <= free) {
        free -= waiting.length;
        for (const i of waiting) {
          this.#setStatus(i, 'STATUS_CONFIRMED', t);
          const slow = this.faults.instance('slow-start', pool.type.name, pool.region);
          i.extraStartMs = slow ? (slow.delayMs ?? 30_000) : 0;
        }
      }
      for (const i of b.instances) this.#step(i, pool, t, stage);
    }
  }

  #step(i: Instance, pool: Pool, t: number, stage: number): void {
    const k = STARTING_STAGES.indexOf(i.status);
    if (k >= 0 && k < 2 && t - i.since >= stage) {
      this.#setStatus(i, STARTING_STAGES[k + 1]!, t);
    } else if (i.status === 'STATUS_STARTING' && t - i.since >= stage + i.extraStartMs) {
      this.#boot(i, t);
    } else if (i.status === 'STATUS_RUNNING') {
      let rule;
      if (this.faults.instance('error', pool.type.name, pool.region)) {
        this.#setStatus(i, 'STATUS_ERROR', t);
        this.#powerOff(i, t);
      } else if ((rule = this.faults.instance('relocate', pool.type.name, pool.region))) {
        i.backAt = t + (rule.delayMs ?? this.config.relocateMs);
        this.#setStatus(i, 'STATUS_RELOCATING', t);
        this.machines.signal(this.#spec(i), { instance_status: 'STATUS_RELOCATING', bid_status: i.bid.status, end_time: iso(i.backAt) });
        this.#powerOff(i, t);
      }
    } else if (i.status === 'STATUS_RELOCATING' && i.backAt !== null && t >= i.backAt) {
      // other hardware: another address, the same disk
      i.backAt = null;
      i.ip = null;
      this.#setStatus(i, 'STATUS_STARTING', t);
    }
  }

  #boot(i: Instance, t: number): void {
    if (i.power === 'on') {
      this.#setStatus(i, 'STATUS_RUNNING', t);
      return;
    }
    if (i.power === 'booting') return;
    if (i.ip === null) i.ip = this.#address();
    i.power = 'booting';
    const first = !i.booted;
    i.booted = true;
    this.machines.boot(this.#spec(i), first).then(
      () => {
        if (i.power === 'booting') i.power = 'on';
      },
      () => {
        if (i.power !== 'booting') return;
        this.#setStatus(i, 'STATUS_ERROR', this.now());
        this.#powerOff(i, this.now());
      },
    );
  }

  // ---- billing

  /** Whether an instance is billed now: while it runs (and through a notice it got while running), not while it starts. */
  #billable(i: Instance): boolean {
    const running = i.status === 'STATUS_RUNNING' || (i.status === 'STATUS_PREEMPTING' && i.before === 'STATUS_RUNNING');
    return running && i.bid.status !== 'Terminated';
  }

  #bill(i: Instance, t: number): void {
    const open = i.billed[i.billed.length - 1];
    const isOpen = open !== undefined && open[1] === null;
    const billable = this.#billable(i);
    if (billable && !isOpen) i.billed.push([t, null]);
    else if (!billable && isOpen) open[1] = t;
  }

  /**
   * The instance's ledger: each period it was billed, split where its price
   * changed. The price is the pool's spot price in force, never above the
   * bid's limit (a winner's limit is never below it; a bid under notice has
   * lost, and pays no more than its limit). Computed from the pool's price
   * history when asked, so a tick costs nothing per price change.
   */
  ledger(i: Instance, until = this.now()): LedgerPeriod[] {
    const history = i.bid.pool.history;
    const limits = i.bid.events.filter((e) => e.type === 'Placed' || e.type === 'Limit Price Changed').map((e) => [e.t, e.limitCents!] as const);
    const at = <T extends readonly [number, number]>(xs: readonly T[], t: number) => {
      // the last entry at or before t (entries are in time order)
      let lo = 0;
      let hi = xs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (xs[mid]![0] <= t) lo = mid;
        else hi = mid - 1;
      }
      return xs[lo]![1];
    };
    const out: LedgerPeriod[] = [];
    for (const [start, end] of i.billed) {
      const stop = end ?? until;
      // a change at the very end of a closed period is not in it; an open one runs on at the new price
      const within = (t: number) => t > start && (end === null ? t <= stop : t < stop);
      const cuts = new Set<number>([start]);
      for (const [t] of history) if (within(t)) cuts.add(t);
      for (const [t] of limits) if (within(t)) cuts.add(t);
      const points = [...cuts].sort((a, b) => a - b);
      points.forEach((t, k) => {
        const priceCents = Math.min(at(history, t), at(limits, t));
        const last = out[out.length - 1];
        const next = k + 1 < points.length ? points[k + 1]! : end;
        if (last && last.end === t && last.priceCents === priceCents) last.end = next;
        else out.push({ priceCents, start: t, end: next });
      });
    }
    return out;
  }

  /** Cents charged to an instance so far: each whole second at its period's hourly price. */
  charged(i: Instance, t = this.now()): number {
    let centSeconds = 0;
    for (const p of this.ledger(i, t)) centSeconds += p.priceCents * Math.floor(((p.end ?? t) - p.start) / 1000);
    return Math.round(centSeconds / 3600);
  }
}
