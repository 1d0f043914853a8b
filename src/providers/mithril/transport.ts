/**
 * HTTP to the Mithril API on undici: one attempt (`once`) with a timeout, and
 * the retry policy for requests that are safe to repeat (`call`): connection
 * errors, timeouts and 5xx are retried with exponential backoff and full
 * jitter; a 429 waits what its Retry-After says. What is not safe to repeat
 * (creating a bid) uses `once` and decides for itself (client.ts).
 *
 * The key travels only in the Authorization header; every message and log
 * line that leaves here goes through the key's redaction first.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import { MithrilError, httpError, oneLine } from './errors.js';
import type { MithrilSettings } from './settings.js';

export interface TransportOptions {
  /** milliseconds for one attempt, from connecting to the last byte of the answer (default 30 s) */
  timeoutMs?: number;
  /** attempts in all for a request that may be repeated (default 5) */
  attempts?: number;
  /** first backoff step and its cap (defaults 500 ms and 10 s) */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** the longest Retry-After we wait for (default 60 s); a longer one fails the call */
  maxRetryAfterMs?: number;
  /** retry notices and other events, already redacted */
  log?: (line: string) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined | null>;

export interface Request {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
}

/** What one attempt came to. `refused`: nothing reached the server; `lost`: it may have, and no answer came. */
export type Outcome =
  | { kind: 'answer'; status: number; body: string; retryAfterMs: number | null }
  | { kind: 'refused'; reason: string }
  | { kind: 'lost'; reason: string };

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const RETRY_STATUS = new Set([500, 502, 503, 504]);

/** Retry-After: delay-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** Exponential backoff with full jitter: attempt 1 waits up to base, then 2×, 4×... up to the cap. */
export function backoffMs(attempt: number, base: number, cap: number, random: () => number): number {
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    const text = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(text)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

export class Transport {
  readonly #settings: MithrilSettings;
  readonly #dispatcher: Dispatcher;
  readonly #o: Required<Omit<TransportOptions, 'log'>> & { log: (line: string) => void };

  constructor(settings: MithrilSettings, options: TransportOptions = {}) {
    this.#settings = settings;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.#o = {
      timeoutMs,
      attempts: options.attempts ?? 5,
      baseDelayMs: options.baseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 10_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      log: options.log ?? (() => {}),
    };
    this.#dispatcher = new Agent({ connect: { timeout: Math.min(timeoutMs, 10_000) }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  get attempts(): number {
    return this.#o.attempts;
  }

  /** Text that may leave the process: the key is never in it. */
  redact(text: string): string {
    return this.#settings.key.redact(text);
  }

  log(line: string): void {
    this.#o.log(this.redact(line));
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** One attempt, with the timeout; never throws for network trouble (it is an outcome). */
  async once(req: Request): Promise<Outcome> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.#o.timeoutMs);
    try {
      const res = await request(`${this.#settings.apiUrl}${req.path}${queryString(req.query)}`, {
        method: req.method,
        dispatcher: this.#dispatcher,
        signal: ac.signal,
        headers: {
          authorization: `Bearer ${this.#settings.key.reveal()}`,
          accept: 'application/json',
          'user-agent': 'flow-slurm/0.1.0',
          'x-client-request-id': randomUUID(),
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : null,
      });
      const body = await res.body.text();
      return { kind: 'answer', status: res.statusCode, body, retryAfterMs: retryAfterMs(res.headers['retry-after']) };
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      const code = err.code ?? err.cause?.code ?? '';
      if (ac.signal.aborted) return { kind: 'lost', reason: `no answer within ${this.#o.timeoutMs / 1000} s` };
      const reason = this.redact(oneLine(`${code ? `${code} ` : ''}${err.cause?.message ?? err.message}`));
      return NOT_SENT.has(code) ? { kind: 'refused', reason } : { kind: 'lost', reason };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The wait before the next attempt, or null when the outcome is final. */
  waitAfter(outcome: Outcome, attempt: number): number | null {
    if (attempt >= this.#o.attempts) return null;
    if (outcome.kind !== 'answer') return backoffMs(attempt, this.#o.baseDelayMs, this.#o.maxDelayMs, this.#o.random);
    if (outcome.status === 429) {
      const asked = outcome.retryAfterMs;
      if (asked === null) return backoffMs(attempt, this.#o.baseDelayMs, this.#o.maxDelayMs, this.#o.random);
      return asked <= this.#o.maxRetryAfterMs ? asked : null;
    }
    if (RETRY_STATUS.has(outcome.status)) return backoffMs(attempt, this.#o.baseDelayMs, this.#o.maxDelayMs, this.#o.random);
    return null;
  }

  sleep(ms: number): Promise<void> {
    return this.#o.sleep(ms);
  }

  /** The error for a final outcome that is not a success. */
  failure(req: Request, outcome: Outcome, attempts: number): MithrilError {
    const what = `${req.method} ${req.path}`;
    if (outcome.kind === 'answer') {
      const e = httpError(req.method, req.path, outcome.status, outcome.body);
      const tried = attempts > 1 && (outcome.status === 429 || outcome.status >= 500) ? ` (after ${attempts} attempts)` : '';
      return new MithrilError(e.kind, this.redact(`${e.message}${tried}`), e.status);
    }
    return new MithrilError('network', this.redact(`mithril: ${what}: ${outcome.reason} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`));
  }

  describe(outcome: Outcome): string {
    return outcome.kind === 'answer' ? `${outcome.status}` : outcome.reason;
  }

  /** A request that is safe to repeat: retried as the policy says; the answer's body on success. */
  async call(req: Request): Promise<{ status: number; body: string }> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.once(req);
      if (outcome.kind === 'answer' && outcome.status < 400) return outcome;
      const wait = this.waitAfter(outcome, attempt);
      if (wait === null) throw this.failure(req, outcome, attempt);
      this.log(`mithril: ${req.method} ${req.path}: ${this.describe(outcome)}; retrying in ${(wait / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${this.#o.attempts})`);
      await this.sleep(wait);
    }
  }
}
