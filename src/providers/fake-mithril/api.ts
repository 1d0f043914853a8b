/**
 * The fake server's routes: for each path our client uses, the same method,
 * parameters, status codes and JSON shapes as the OpenAPI document gives,
 * served from the market's state. Requests are parsed with the strict
 * schemas (validation.ts); answers are built as the API's models (views
 * below), money written as "$X.XX" where the API writes it so, cents where
 * the pricing paths use cents.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { formatDollars } from '../mithril/money.js';
import {
  INSTANCE_STATUSES, query, strict,
  type AuctionModel, type BidHistoryEventModel, type BidModel, type CurrentPricesResponse, type HistoricalPricesResponseModel,
  type InstanceModel, type InstanceTypeModel, type NewSshKeyModel,
} from '../mithril/schemas.js';
import { Problem, iso, type Bid, type Instance, type Market, type Pool, type SshKey, type User } from './market.js';
import { page } from './paging.js';
import { validate } from './validation.js';

export interface Ctx {
  market: Market;
  user: User;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export interface Answer {
  status: number;
  body?: unknown;
}

type Handler = (c: Ctx) => Answer;

export interface Route {
  method: string;
  path: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

// ---- views: our records as the API's models

export function bidView(b: Bid): BidModel {
  const l = b.launch;
  return {
    fid: b.fid,
    name: b.name,
    project: b.project,
    created_by: b.createdBy,
    created_at: iso(b.createdAt),
    deactivated_at: b.deactivatedAt === null ? null : iso(b.deactivatedAt),
    limit_price: formatDollars(b.limitCents),
    instance_quantity: b.quantity,
    instance_type: b.pool.typeFid,
    region: b.pool.region,
    instances: b.instances.map((i) => i.fid),
    launch_specification: {
      volumes: l.volumes, ssh_keys: l.ssh_keys, startup_script: l.startup_script ?? null, kubernetes_cluster: l.kubernetes_cluster ?? null,
      image_version: l.image_version ?? null, memory_gb: l.memory_gb ?? null,
    },
    status: b.status,
  };
}

const REACHABLE = new Set(['STATUS_RUNNING', 'STATUS_PREEMPTING']);

export function instanceView(i: Instance, sshPort: number): InstanceModel {
  const reachable = REACHABLE.has(i.status) && i.ip !== null && i.power === 'on';
  return {
    fid: i.fid,
    name: i.name,
    project: i.bid.project,
    created_at: iso(i.createdAt),
    created_by: i.bid.createdBy,
    instance_type: i.bid.pool.typeFid,
    region: i.bid.pool.region,
    bid: i.bid.fid,
    reservation: null,
    ssh_destination: reachable ? (sshPort === 22 ? i.ip : `${i.ip}:${sshPort}`) : null,
    private_ip: reachable ? i.ip : null,
    status: i.status,
  };
}

function typeView(p: Pool): InstanceTypeModel {
  return { fid: p.typeFid, name: p.type.name, ...p.type.spec };
}

function auctionView(p: Pool): AuctionModel {
  return {
    fid: p.aucFid,
    instance_type: p.typeFid,
    region: p.region,
    capacity: p.capacity - p.clearing.allocated,
    last_instance_price: formatDollars(p.lastAllocationCents),
    lowest_allocated_price: p.clearing.lowestWinningCents === null ? null : formatDollars(p.clearing.lowestWinningCents),
    adjustable_memory: false,
    default_image_version: null,
  };
}

function sshKeyView(k: SshKey): NewSshKeyModel {
  return { fid: k.fid, name: k.name, project: k.project, public_key: k.publicKey, created_at: iso(k.createdAt), required: k.required };
}

function eventView(e: Bid['events'][number], user: string): BidHistoryEventModel {
  return { timestamp: iso(e.t), event_type: e.type, limit_price: e.limitCents === undefined ? null : formatDollars(e.limitCents), user_id: user, memory_gb: null, persistent_disk_change: null };
}

// ---- helpers

function time(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new Problem(422, 'Input should be a valid datetime', ['query', name]);
  return t;
}

/** The user's bid, or 404 as the API answers for one it does not know (or that is someone else's). */
function myBid(c: Ctx): Bid {
  return c.market.bid(c.params.bid_fid!);
}

function myInstance(c: Ctx, fid: string): Instance {
  const i = c.market.instances.get(fid);
  if (!i || i.bid.synthetic) throw new Problem(404, `Instance ${fid} not found`);
  return i;
}

function poolFor(m: Market, instanceType: string, region: string | undefined): Pool {
  const pools = m.pools.filter((p) => (p.typeFid === instanceType || p.type.name === instanceType) && (region === undefined || p.region === region));
  if (pools.length === 0) {
    if (region !== undefined && m.pools.some((p) => p.typeFid === instanceType || p.type.name === instanceType)) {
      throw new Problem(400, `Instance type ${instanceType} is not available in region ${region}`);
    }
    throw new Problem(400, `Unknown instance type: ${instanceType}`);
  }
  if (pools.length > 1) throw new Problem(400, `Instance type ${instanceType} is sold in several regions: give a region`);
  return pools[0]!;
}

/** An RSA pair as the API makes one when no public key is given: PKCS#1 private key, OpenSSH public key. */
function keyPair(name: string): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const jwk = createPublicKey(publicKey).export({ format: 'jwk' });
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, k) => (b.length >>> (24 - 8 * k)) & 255)), b]);
  const mpint = (b64: string) => {
    const b = Buffer.from(b64, 'base64url');
    return field(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
  return { publicKey: `ssh-rsa ${blob.toString('base64')} ${name}`, privateKey };
}

// ---- the routes

function route(method: string, path: string, handler: Handler): Route {
  const names: string[] = [];
  const re = new RegExp(`^${path.replace(/\{(\w+)\}/g, (_, n: string) => {
    names.push(n);
    return '([^/]+)';
  })}$`);
  return { method, path, re, names, handler };
}

const ok = (body: unknown, status = 200): Answer => ({ status, body });

export const ROUTES: Route[] = [
  route('GET', '/v2/me', (c) => {
    const u = c.user;
    return ok({ id: u.id, fid: u.fid, email: u.email, user_name: u.name, organization_id: u.orgId, organization_role: 'Owner' });
  }),

  route('GET', '/v2/projects', (c) => ok(c.market.projects.map((p) => ({ fid: p.fid, name: p.name, created_at: iso(p.createdAt) })))),

  route('GET', '/v2/instance-types', (c) => {
    const seen = new Set<string>();
    return ok(c.market.pools.filter((p) => !seen.has(p.typeFid) && seen.add(p.typeFid)).map(typeView));
  }),

  // the 2026 document lists no parameters here; the Flow SDK sends instance_type and region, which are honoured
  route('GET', '/v2/spot/availability', (c) => ok(c.market.pools
    .filter((p) => (c.query.instance_type === undefined || p.typeFid === c.query.instance_type) && (c.query.region === undefined || p.region === c.query.region))
    .map(auctionView))),

  route('GET', '/v2/pricing/current', (c) => {
    const q = validate(query.pricingCurrent, c.query, 'query');
    const p = poolFor(c.market, q.instance_type, q.region);
    const body: CurrentPricesResponse = {
      spot_price_cents: p.priceCents,
      reserved_price_cents: p.type.reservedCents,
      minimum_price_cents: p.type.minimumCents,
      lowest_allocated_bid_cents: p.clearing.lowestWinningCents,
      dynamic_win_price_cents: c.market.winningPrice(p, q.instance_quantity ?? 1),
      available_capacity: p.capacity - p.clearing.allocated,
      total_capacity: p.capacity,
    };
    return ok(body);
  }),

  route('GET', '/v2/pricing/history', (c) => {
    const q = validate(query.pricingHistory, c.query, 'query');
    const now = c.market.now();
    const wanted = q.instance_types?.split(',').filter(Boolean);
    const pools = c.market.pools.filter((p) => (wanted === undefined || wanted.includes(p.typeFid) || wanted.includes(p.type.name)) && (q.region === undefined || p.region === q.region));
    const end = time(q.end_time, 'end_time') ?? now;
    const body: HistoricalPricesResponseModel = {
      series: pools.map((p) => {
        const start = time(q.start_time, 'start_time') ?? p.history[0]![0];
        const priceAt = (t: number) => {
          let cents = p.history[0]![1];
          for (const [ht, hc] of p.history) {
            if (ht > t) break;
            cents = hc;
          }
          return cents;
        };
        const samples = q.num_samples ?? 100;
        let points: [number, number][];
        if (samples === -1) {
          points = [[start, priceAt(start)], ...p.history.filter(([t]) => t > start && t <= end)];
        } else if (samples === 0 || end < start) {
          points = [];
        } else {
          const n = samples;
          points = Array.from({ length: n }, (_, k) => {
            const t = n === 1 ? end : Math.round(start + ((end - start) * k) / (n - 1));
            return [t, priceAt(t)] as [number, number];
          });
        }
        return {
          instance_type: p.typeFid, region: p.region, timestamps: points.map(([t]) => iso(t)), spot_prices: points.map(([, cents]) => formatDollars(cents)),
          reserved_prices: points.map(() => formatDollars(p.type.reservedCents)), region_disabled: false,
        };
      }),
      complete: true,
    };
    return ok(body);
  }),

  route('GET', '/v2/spot/bids', (c) => {
    const q = validate(query.bids, c.query, 'query');
    if (q.project !== undefined) c.market.project(q.project);
    const projects = new Set(c.market.projects.map((p) => p.fid));
    const bids = [...c.market.bids.values()].filter((b) => !b.synthetic && projects.has(b.project)
      && (q.project === undefined || b.project === q.project) && (q.instance_type === undefined || b.pool.typeFid === q.instance_type)
      && (q.region === undefined || b.pool.region === q.region) && (q.status === undefined || b.status === q.status) && (q.name === undefined || b.name === q.name));
    const key = q.sort_by === 'status' ? (b: Bid) => [b.status, b.createdAt, b.fid] : (b: Bid) => [b.createdAt, b.fid];
    const r = page(bids, key, q.sort_dir ?? 'desc', q.limit ?? 100, q.next_cursor);
    return ok({ data: r.data.map(bidView), next_cursor: r.next_cursor });
  }),

  route('POST', '/v2/spot/bids', (c) => {
    const body = validate(strict.CreateBidRequest, c.body, 'body');
    return ok(bidView(c.market.createBid(c.user, body)), 201);
  }),

  route('GET', '/v2/spot/bids/{bid_fid}', (c) => ok(bidView(myBid(c)))),

  route('PATCH', '/v2/spot/bids/{bid_fid}', (c) => {
    const body = validate(strict.UpdateBidRequest, c.body, 'body');
    return ok(bidView(c.market.updateBid(myBid(c).fid, body)));
  }),

  route('DELETE', '/v2/spot/bids/{bid_fid}', (c) => {
    c.market.deleteBid(myBid(c).fid);
    return { status: 204 };
  }),

  route('GET', '/v2/spot/bids/{bid_fid}/status', (c) => {
    const b = myBid(c);
    return ok({ bid_fid: b.fid, status: b.instances.some((i) => i.status === 'STATUS_RELOCATING') ? 'Relocating' : b.status });
  }),

  route('GET', '/v2/spot/bids/{bid_fid}/history', (c) => {
    const b = myBid(c);
    return ok({ bid_fid: b.fid, events: b.events.map((e) => eventView(e, b.createdBy)) });
  }),

  route('GET', '/v2/instances', (c) => {
    const q = validate(query.instances, c.query, 'query');
    c.market.project(q.project);
    const statuses = q.status_in && new Set<string>(q.status_in);
    const bidsIn = q.bid_fid_in && new Set(q.bid_fid_in);
    const orderTypes = q.order_type_in;
    const list = [...c.market.instances.values()].filter((i) => i.bid.project === q.project
      && (q.instance_type === undefined || i.bid.pool.typeFid === q.instance_type) && (q.region === undefined || i.bid.pool.region === q.region)
      && (!statuses || statuses.has(i.status)) && (!bidsIn || bidsIn.has(i.bid.fid)) && (!orderTypes || orderTypes.includes('Bid'))
      && (q.reservation_fid_in === undefined || q.reservation_fid_in.length === 0));
    const key = q.sort_by === 'instance_status' ? (i: Instance) => [INSTANCE_STATUSES.indexOf(i.status), i.createdAt, i.fid]
      : q.sort_by === 'instance_type_fid' ? (i: Instance) => [i.bid.pool.typeFid, i.createdAt, i.fid]
        : (i: Instance) => [i.createdAt, i.bid.instances.indexOf(i), i.fid];
    const r = page(list, key, q.sort_dir ?? 'desc', q.limit ?? 100, q.next_cursor);
    return ok({ data: r.data.map((i) => instanceView(i, c.market.config.sshPort)), next_cursor: r.next_cursor });
  }),

  route('GET', '/v2/instances/{instance_fid}/status', (c) => {
    const i = myInstance(c, c.params.instance_fid!);
    const end = i.status === 'STATUS_PREEMPTING' ? i.bid.noticeEnds : i.status === 'STATUS_RELOCATING' ? i.backAt : null;
    return ok({ fid: i.fid, name: i.name, status: i.status, bid: i.bid.fid, reservation: null, end_time: end === null ? null : iso(end) });
  }),

  route('GET', '/v2/instances/status/history', (c) => instanceHistory(c, (i, from, to) => i.statusHistory
    .filter(([t]) => t >= from && t <= to)
    .map(([t, status]) => ({ timestamp: iso(t), status })))),

  route('GET', '/v2/instances/pricing/history', (c) => instanceHistory(c, (i, from, to) => c.market.ledger(i)
    .filter((p) => (p.end ?? Infinity) >= from && p.start <= to)
    .map((p) => ({ price_cents: p.priceCents, start_time: iso(p.start), end_time: p.end === null ? null : iso(p.end) })))),

  route('GET', '/v2/ssh-keys', (c) => {
    const q = validate(query.sshKeys, c.query, 'query');
    c.market.project(q.project);
    return ok([...c.market.sshKeys.values()].filter((k) => k.project === q.project).map(sshKeyView));
  }),

  route('POST', '/v2/ssh-keys', (c) => {
    const body = validate(strict.CreateSshKeyRequest, c.body, 'body');
    const pair = body.public_key ? null : keyPair(body.name);
    const key = c.market.addSshKey(body.project, body.name, body.public_key ?? pair!.publicKey, body.required ?? false);
    return ok({ ...sshKeyView(key), private_key: pair ? pair.privateKey : null }, 201);
  }),

  route('DELETE', '/v2/ssh-keys/{ssh_key_fid}', (c) => {
    const k = c.market.sshKeys.get(c.params.ssh_key_fid!);
    if (!k) throw new Problem(404, `SSH key ${c.params.ssh_key_fid} not found`);
    c.market.sshKeys.delete(k.fid);
    return { status: 204 };
  }),
];

/** The two instance history paths: the project's instances (by instance or bid), a page of them, each with its events in the time window. */
function instanceHistory(c: Ctx, events: (i: Instance, from: number, to: number) => unknown[]): Answer {
  const q = validate(query.instanceHistory, c.query, 'query');
  const from = time(q.start_time, 'start_time') ?? -Infinity;
  const to = time(q.end_time, 'end_time') ?? Infinity;
  c.market.project(q.project);
  const list = [...c.market.instances.values()].filter((i) => i.bid.project === q.project
    && (q.instance_fid === undefined || i.fid === q.instance_fid) && (q.bid_fid === undefined || i.bid.fid === q.bid_fid) && q.reservation_fid === undefined);
  const r = page(list, (i) => [i.createdAt, i.fid], 'asc', q.limit ?? 100, q.next_cursor);
  return ok({
    instances: r.data.map((i) => ({ instance_fid: i.fid, bid_fid: i.bid.fid, reservation_fid: null, events: events(i, from, to) })),
    next_cursor: r.next_cursor,
  });
}
