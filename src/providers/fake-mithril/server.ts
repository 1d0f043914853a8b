/**
 * The fake Mithril API over HTTP (node:http): a wrong or missing key gets
 * 401, an unknown path 404, a wrong method 405, a body or query that does not
 * validate 422 with FastAPI's detail list, and a refusal FastAPI's `{detail}`
 * with its status, as the real API answers. Faults strike before or after a
 * request is handled (faults.ts). `/_emulator/...` is the emulator's own
 * control: state, faults, ledger, a tick on demand (same key).
 *
 * `record` sees every exchange as it went over the wire (the Authorization
 * header left out), for tests that check traffic against the API document.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { formatDollars } from '../mithril/money.js';
import { ROUTES, bidView, type Answer } from './api.js';
import { Faults, checkFault, parseFault, type FaultRule } from './faults.js';
import { DEFAULT_MARKET, Market, Problem, newFid, type Machines, type MarketConfig } from './market.js';
import type { PoolSpec } from './options.js';
import { ValidationProblem, jsonProblem } from './validation.js';
import { rng } from '../../random.js';

export interface Exchange {
  method: string;
  path: string;
  /** the raw query string, without `?` */
  query: string;
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string | number | string[] | undefined>;
  responseBody: string;
  fault: FaultRule['kind'] | null;
}

export interface FakeMithrilOptions extends Partial<Omit<MarketConfig, 'pools'>> {
  pools: PoolSpec[];
  host?: string;
  port?: number;
  /** the API key to accept (one is made when absent) */
  apiKey?: string;
  faults?: FaultRule[];
  seed?: number;
  machines: Machines;
  record?: (x: Exchange) => void;
  log?: (line: string) => void;
  now?: () => number;
}

const MAX_BODY = 1 << 20;

interface Sent {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function sendRaw(res: ServerResponse, status: number, headers: Record<string, string>, body: string): Sent {
  const all = body === '' ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  res.writeHead(status, all).end(body);
  return { status, headers: all, body };
}

function send(res: ServerResponse, a: Answer, headers: Record<string, string> = {}): Sent {
  if (a.status === 204) return sendRaw(res, 204, headers, '');
  return sendRaw(res, a.status, { 'content-type': 'application/json', ...headers }, JSON.stringify(a.body ?? null));
}

const BAD_GATEWAY = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

export class FakeMithril {
  readonly market: Market;
  readonly faults: Faults;
  readonly apiKey: string;
  readonly #o: FakeMithrilOptions;
  readonly #server: Server;
  readonly #hanging = new Set<Socket>();
  #url = '';

  constructor(o: FakeMithrilOptions) {
    this.#o = o;
    const seed = o.seed ?? Date.now() % 2 ** 31;
    this.faults = new Faults(rng(seed ^ 0x5eed));
    for (const f of o.faults ?? []) this.faults.add(f);
    const subnet = o.subnet ?? `127.${64 + Math.floor(Math.random() * 128)}`;
    this.market = new Market({ ...DEFAULT_MARKET, ...o, subnet, pools: o.pools }, o.machines, this.faults, rng(seed), o.now);
    this.apiKey = o.apiKey ?? newFid('fkey_');
    this.market.addApiKey(this.apiKey);
    this.#server = createServer((req, res) => {
      // a client that goes away mid-request is its own business, never the server's end
      this.#handle(req, res).catch((e: unknown) => {
        this.#o.log?.(`flow emulator: ${req.method} ${req.url}: ${(e as Error).message}`);
        if (!res.headersSent) send(res, { status: 500, body: { detail: 'Internal Server Error' } });
      });
    });
    this.#server.keepAliveTimeout = 30_000;
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.port ?? 0, this.#o.host ?? '127.0.0.1', () => resolve());
    });
    const a = this.#server.address();
    if (a === null || typeof a === 'string') throw new Error('no address');
    this.#url = `http://${a.address}:${a.port}`;
    this.market.start();
    return this.#url;
  }

  async stop(): Promise<void> {
    this.market.stop();
    for (const s of this.#hanging) s.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) {
        send(res, { status: 413, body: { detail: 'Request body too large' } });
        return;
      }
      chunks.push(c as Buffer);
    }
    const requestBody = Buffer.concat(chunks).toString('utf8');
    const { authorization: _, ...requestHeaders } = req.headers;
    const record = (sent: Sent, fault: FaultRule['kind'] | null) => {
      this.#o.record?.({
        method, path: url.pathname, query: url.search.slice(1), requestHeaders, requestBody, status: sent.status,
        responseHeaders: sent.headers, responseBody: sent.body, fault,
      });
      this.#o.log?.(`${method} ${url.pathname} ${sent.status}${fault ? ` (fault: ${fault})` : ''} ${(performance.now() - t0).toFixed(1)} ms`);
    };

    const admin = url.pathname.startsWith('/_emulator/');
    const before = admin ? null : this.faults.http(method, url.pathname, 'before');
    if (before && this.#strike(before, res, record)) return;

    const answer = this.#answer(req, method, url, requestBody, admin);
    const after = admin ? null : this.faults.http(method, url.pathname, 'after');
    if (after && this.#strike(after, res, record)) return;
    record(send(res, answer, answer.status === 401 ? { 'www-authenticate': 'Bearer' } : {}), null);
  }

  /** Answer with a fault (or, for a hang, never): true when the request is done with. */
  #strike(f: FaultRule, res: ServerResponse, record: (sent: Sent, fault: FaultRule['kind']) => void): boolean {
    if (f.kind === 'hang') {
      const s = res.socket;
      if (s) {
        this.#hanging.add(s);
        s.once('close', () => this.#hanging.delete(s));
      }
      this.#o.log?.(`(hanging: fault)`);
      return true;
    }
    if (f.kind === '429') {
      record(send(res, { status: 429, body: { detail: 'Too many requests' } }, { 'retry-after': String(f.retryAfter ?? 1) }), '429');
    } else if (f.kind === '502') {
      record(sendRaw(res, 502, { 'content-type': 'text/html' }, BAD_GATEWAY), '502');
    } else {
      record(send(res, { status: 500, body: { detail: 'Internal Server Error' } }), '500');
    }
    return true;
  }

  #answer(req: IncomingMessage, method: string, url: URL, text: string, admin: boolean): Answer {
    const auth = req.headers.authorization;
    const m = auth !== undefined ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    const matches = admin ? [] : ROUTES.filter((r) => r.re.test(url.pathname));
    if (!admin && matches.length === 0) return { status: 404, body: { detail: 'Not Found' } };
    const user = this.market.authenticate(m?.[1]);
    if (!user) return { status: 401, body: { detail: auth === undefined ? 'Not authenticated' : 'Invalid API key' } };
    try {
      if (admin) return this.#admin(method, url, text);
      const r = matches.find((x) => x.method === method);
      if (!r) return { status: 405, body: { detail: 'Method Not Allowed' } };
      const values = r.re.exec(url.pathname)!.slice(1).map(decodeURIComponent);
      const params = Object.fromEntries(r.names.map((n, k) => [n, values[k]!]));
      let body: unknown;
      if (method === 'POST' || method === 'PATCH') {
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw jsonProblem(text, e);
        }
      }
      return r.handler({ market: this.market, user, params, query: Object.fromEntries(url.searchParams), body });
    } catch (e) {
      if (e instanceof ValidationProblem) return { status: 422, body: { detail: e.detail } };
      if (e instanceof Problem) {
        // FastAPI's validation-shaped refusals of our own (a price that is not "$X.XX") keep the 422 list form
        if (e.status === 422) return { status: 422, body: { detail: [{ loc: e.loc, msg: e.detail, type: 'value_error' }] } };
        return { status: e.status, body: { detail: e.detail } };
      }
      // one line, as every error of ours (src/commands/run-main.ts)
      this.#o.log?.(`flow emulator: ${method} ${url.pathname}: ${e instanceof Error ? e.message.replace(/\s*\n\s*/g, ' ') : String(e)}`);
      return { status: 500, body: { detail: 'Internal Server Error' } };
    }
  }

  /** The emulator's own paths: state, faults, ledger, and a tick on demand. */
  #admin(method: string, url: URL, text: string): Answer {
    const m = this.market;
    const route = `${method} ${url.pathname}`;
    if (route === 'GET /_emulator/state') {
      return {
        status: 200,
        body: {
          pools: m.pools.map((p) => ({
            instance_type: p.type.name, instance_type_fid: p.typeFid, region: p.region, capacity: p.capacity, used: m.used(p),
            allocated: p.clearing.allocated, spot_price: formatDollars(p.priceCents),
          })),
          bids: [...m.bids.values()].filter((b) => !b.synthetic).map(bidView),
          synthetic_bids: [...m.bids.values()].filter((b) => b.synthetic && b.status !== 'Terminated').length,
          faults: this.faults.list(),
        },
      };
    }
    if (route === 'GET /_emulator/ledger') {
      const now = m.now();
      return {
        status: 200,
        body: [...m.bids.values()].filter((b) => !b.synthetic).map((b) => ({
          bid_fid: b.fid, name: b.name,
          charged_cents: b.instances.reduce((n, i) => n + m.charged(i, now), 0),
          instances: b.instances.map((i) => ({ instance_fid: i.fid, charged_cents: m.charged(i, now), periods: m.ledger(i, now).length })),
        })),
      };
    }
    if (route === 'POST /_emulator/tick') {
      m.tick();
      return { status: 204 };
    }
    if (route === 'GET /_emulator/faults') return { status: 200, body: this.faults.list() };
    if (route === 'DELETE /_emulator/faults') {
      this.faults.clear();
      return { status: 204 };
    }
    if (route === 'POST /_emulator/faults') {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw jsonProblem(text, e);
      }
      const specs = Array.isArray(raw) ? raw : [raw];
      const rules: FaultRule[] = [];
      for (const s of specs) {
        const r = typeof s === 'string' ? parseFault(s) : checkFault((s ?? {}) as Record<string, unknown>);
        if (!r.ok) return { status: 400, body: { detail: r.message } };
        rules.push(r.value);
      }
      for (const r of rules) this.faults.add(r);
      return { status: 201, body: this.faults.list() };
    }
    return { status: 404, body: { detail: 'Not Found' } };
  }
}
