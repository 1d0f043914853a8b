/**
 * The Mithril API client: the calls flow-slurm makes, each answer checked
 * against the API's shapes (schemas.ts), money in integer cents on our side.
 *
 * Creating a bid is the one call that must not happen twice: a bid is money.
 * It is sent again only when the earlier attempt certainly did nothing (a 429,
 * a refused connection); after an unclear failure (a timeout, a reset, a 5xx)
 * the bid is first looked up by its name, which the caller makes unique.
 */
import * as z from 'zod/mini';
import { MithrilError, classify, detailText } from './errors.js';
import { formatDollars } from './money.js';
import { resolveType, type ResolvedType } from './instance-types.js';
import type { MithrilSettings } from './settings.js';
import {
  AuctionModel, BidHistoryResponse, BidModel, BidStatusResponse, CreatedSshKeyModel, CurrentPricesResponse,
  GetBidsResponse, GetInstancesResponse, HistoricalPricesResponseModel, InstancePricingHistoryResponse,
  InstanceStatusHistoryResponse, InstanceStatusResponse, InstanceTypeModel, MeResponse, NewSshKeyModel, ProjectModel,
  type BidStatus, type CreateBidRequest, type InstanceModel, type InstanceStatus, type UpdateBidRequest,
} from './schemas.js';
import { Transport, type Query, type Request, type TransportOptions } from './transport.js';

export type ClientOptions = TransportOptions;

/** What we ask for when creating a bid; prices in cents. */
export interface NewBid {
  /** unique per attempt to buy: the name is how an unclear create is recognised */
  name: string;
  instanceType: string;
  region: string;
  limitPriceCents: number;
  quantity: number;
  sshKeys: string[];
  startupScript?: string;
  volumes?: string[];
  notificationEmail?: string;
}

export interface BidFilter {
  status?: BidStatus;
  name?: string;
  instanceType?: string;
  region?: string;
}

/** The most pages a listing walks (100 rows each) before it stops trusting the cursor. */
const MAX_PAGES = 1000;

export class MithrilClient {
  readonly #t: Transport;
  readonly #project: string | undefined;
  #projectFid: Promise<string> | undefined;

  constructor(settings: MithrilSettings, options: ClientOptions = {}) {
    this.#t = new Transport(settings, options);
    this.#project = settings.project;
  }

  close(): Promise<void> {
    return this.#t.close();
  }

  async #get<S extends z.ZodMiniType>(schema: S, path: string, query?: Query): Promise<z.infer<S>> {
    const req: Request = { method: 'GET', path, ...(query ? { query } : {}) };
    return this.#parse(schema, req, (await this.#t.call(req)).body);
  }

  #parse<S extends z.ZodMiniType>(schema: S, req: Request, body: string): z.infer<S> {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new MithrilError('response', `mithril: ${req.method} ${req.path}: the answer is not JSON`);
    }
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top)';
    throw new MithrilError('response', this.#t.redact(`mithril: ${req.method} ${req.path}: the answer does not match the API document at ${where} (${issue.code})`));
  }

  me(): Promise<MeResponse> {
    return this.#get(MeResponse, '/v2/me');
  }

  projects(): Promise<ProjectModel[]> {
    return this.#get(z.array(ProjectModel), '/v2/projects');
  }

  /** The project's fid: MITHRIL_PROJECT as a `proj_` fid or a name; the only project when none is set. */
  projectFid(): Promise<string> {
    this.#projectFid ??= (async () => {
      const p = this.#project;
      const projects = await this.projects();
      if (p === undefined) {
        if (projects.length === 1) return projects[0]!.fid;
        throw new MithrilError('validation', `mithril: no project chosen and ${projects.length} to choose from: set MITHRIL_PROJECT (${projects.map((x) => x.name).join(', ')})`);
      }
      const found = projects.find((x) => x.fid === p) ?? projects.find((x) => x.name === p);
      if (!found) throw new MithrilError('not-found', `mithril: no project ${p} (projects: ${projects.map((x) => x.name).join(', ') || 'none'})`);
      return found.fid;
    })();
    this.#projectFid.catch(() => { this.#projectFid = undefined; });
    return this.#projectFid;
  }

  instanceTypes(): Promise<InstanceTypeModel[]> {
    return this.#get(z.array(InstanceTypeModel), '/v2/instance-types');
  }

  /** The spot market: one row per (instance type fid, region). */
  availability(): Promise<AuctionModel[]> {
    return this.#get(z.array(AuctionModel), '/v2/spot/availability');
  }

  /** Where a type name (`h100-80gb.sxm.8x`, `8xh100`) or fid is sold: its fid in each region. */
  async resolveInstanceType(name: string, region?: string): Promise<ResolvedType[]> {
    const [types, availability] = await Promise.all([this.instanceTypes(), this.availability()]);
    const found = resolveType(name, types, availability, region);
    if (found.length === 0) {
      const known = [...new Set(types.map((x) => x.name))].sort().join(', ');
      throw new MithrilError(region === undefined ? 'instance-type' : 'region',
        `mithril: no spot market for instance type ${name}${region !== undefined ? ` in region ${region}` : ''} (instance types: ${known || 'none'})`);
    }
    return found;
  }

  currentPrice(instanceType: string, region?: string, quantity?: number): Promise<z.infer<typeof CurrentPricesResponse>> {
    return this.#get(CurrentPricesResponse, '/v2/pricing/current', { instance_type: instanceType, region, instance_quantity: quantity });
  }

  priceHistory(q: { instanceTypes?: string[]; region?: string; numSamples?: number; startTime?: string; endTime?: string } = {}) {
    return this.#get(HistoricalPricesResponseModel, '/v2/pricing/history', {
      instance_types: q.instanceTypes?.join(','), region: q.region, num_samples: q.numSamples, start_time: q.startTime, end_time: q.endTime,
    });
  }

  /** A bid of this name in our project that is not terminated, if there is one. */
  async findBid(name: string): Promise<BidModel | undefined> {
    const bids = await this.listBids({ name });
    return bids.find((b) => b.name === name && b.status !== 'Terminated');
  }

  async createBid(bid: NewBid): Promise<BidModel> {
    const body: CreateBidRequest = {
      project: await this.projectFid(),
      region: bid.region,
      instance_type: bid.instanceType,
      limit_price: formatDollars(bid.limitPriceCents),
      instance_quantity: bid.quantity,
      name: bid.name,
      launch_specification: {
        volumes: bid.volumes ?? [],
        ssh_keys: bid.sshKeys,
        ...(bid.startupScript !== undefined ? { startup_script: bid.startupScript } : {}),
      },
      ...(bid.notificationEmail !== undefined ? { notification_email: bid.notificationEmail } : {}),
    };
    return this.#create({ method: 'POST', path: '/v2/spot/bids', body }, BidModel, `bid ${bid.name}`, () => this.findBid(bid.name));
  }

  /**
   * A POST that creates something: sent again only when the earlier attempt
   * certainly did nothing (a refused connection, a 429 or another 4xx). After
   * an unclear failure, `find` looks for what it may have created first; a
   * later "name already used" means our earlier attempt did create it.
   */
  async #create<S extends z.ZodMiniType>(req: Request, schema: S, what: string, find: () => Promise<z.infer<S> | undefined>): Promise<z.infer<S>> {
    let unclear = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#t.once(req);
      if (outcome.kind === 'answer' && outcome.status < 400) return this.#parse(schema, req, outcome.body);
      const certain = outcome.kind === 'refused' || (outcome.kind === 'answer' && outcome.status < 500);
      if (!certain || (unclear && outcome.kind === 'answer' && classify(outcome.status, detailText(outcome.body) ?? '') === 'name-conflict')) {
        unclear = true;
        this.#t.log(`mithril: ${req.method} ${req.path}: ${this.#t.describe(outcome)}; looking for ${what} before sending it again`);
        const existing = await find();
        if (existing !== undefined) return existing;
      }
      const wait = this.#t.waitAfter(outcome, attempt);
      if (wait === null) throw this.#t.failure(req, outcome, attempt);
      this.#t.log(`mithril: ${req.method} ${req.path}: ${this.#t.describe(outcome)}; sending again in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${this.#t.attempts})`);
      await this.#t.sleep(wait);
    }
  }

  /** Every bid of our project that matches, walking the cursor. */
  async listBids(filter: BidFilter = {}): Promise<BidModel[]> {
    const project = await this.projectFid();
    return this.#pages(GetBidsResponse, '/v2/spot/bids', {
      project, status: filter.status, name: filter.name, instance_type: filter.instanceType, region: filter.region, limit: 100,
    });
  }

  async #pages<S extends z.ZodMiniType<{ data: T[]; next_cursor?: string | null | undefined }>, T>(schema: S, path: string, query: Query): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = (await this.#get(schema, path, { ...query, next_cursor: cursor })) as { data: T[]; next_cursor?: string | null };
      out.push(...r.data);
      if (!r.next_cursor) return out;
      cursor = r.next_cursor;
    }
    throw new MithrilError('response', `mithril: GET ${path}: more than ${MAX_PAGES} pages`);
  }

  getBid(fid: string): Promise<BidModel> {
    return this.#get(BidModel, `/v2/spot/bids/${encodeURIComponent(fid)}`);
  }

  bidStatus(fid: string) {
    return this.#get(BidStatusResponse, `/v2/spot/bids/${encodeURIComponent(fid)}/status`);
  }

  bidHistory(fid: string) {
    return this.#get(BidHistoryResponse, `/v2/spot/bids/${encodeURIComponent(fid)}/history`);
  }

  /** Change a live bid: its limit price (cents) or pause it. Setting a value twice is harmless, so it is retried. */
  async updateBid(fid: string, change: { limitPriceCents?: number; paused?: boolean }): Promise<BidModel> {
    const body: UpdateBidRequest = {
      ...(change.limitPriceCents !== undefined ? { limit_price: formatDollars(change.limitPriceCents) } : {}),
      ...(change.paused !== undefined ? { paused: change.paused } : {}),
    };
    const req: Request = { method: 'PATCH', path: `/v2/spot/bids/${encodeURIComponent(fid)}`, body };
    return this.#parse(BidModel, req, (await this.#t.call(req)).body);
  }

  /** Cancel a bid (its instances terminate). A bid already gone counts as done, as a repeated DELETE must. */
  async deleteBid(fid: string): Promise<void> {
    try {
      await this.#t.call({ method: 'DELETE', path: `/v2/spot/bids/${encodeURIComponent(fid)}` });
    } catch (e) {
      if (e instanceof MithrilError && e.status === 404) return;
      throw e;
    }
  }

  /** Our project's instances, of some bids (`bid_fid_in`) and statuses, walking the cursor. */
  async instances(filter: { bidFids?: string[]; statuses?: InstanceStatus[] } = {}): Promise<InstanceModel[]> {
    const project = await this.projectFid();
    return this.#pages(GetInstancesResponse, '/v2/instances', {
      project, bid_fid_in: filter.bidFids, status_in: filter.statuses, limit: 100,
    });
  }

  instanceStatus(fid: string) {
    return this.#get(InstanceStatusResponse, `/v2/instances/${encodeURIComponent(fid)}/status`);
  }

  async instancePricingHistory(filter: { bidFid?: string; instanceFid?: string } = {}) {
    return this.#get(InstancePricingHistoryResponse, '/v2/instances/pricing/history', {
      project: await this.projectFid(), bid_fid: filter.bidFid, instance_fid: filter.instanceFid,
    });
  }

  async instanceStatusHistory(filter: { bidFid?: string; instanceFid?: string } = {}) {
    return this.#get(InstanceStatusHistoryResponse, '/v2/instances/status/history', {
      project: await this.projectFid(), bid_fid: filter.bidFid, instance_fid: filter.instanceFid,
    });
  }

  async sshKeys() {
    return this.#get(z.array(NewSshKeyModel), '/v2/ssh-keys', { project: await this.projectFid() });
  }

  /** Register a public key (or, without one, have the server make a pair: the answer carries the private key). */
  async createSshKey(name: string, publicKey?: string) {
    const body = { project: await this.projectFid(), name, ...(publicKey !== undefined ? { public_key: publicKey } : {}) };
    const find = async () => (await this.sshKeys()).find((k) => k.name === name);
    return this.#create({ method: 'POST', path: '/v2/ssh-keys', body }, CreatedSshKeyModel, `ssh key ${name}`, find);
  }
}
