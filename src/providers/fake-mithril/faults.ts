/**
 * Faults on demand. HTTP faults hit requests by method and path: a 429 with
 * Retry-After, a 500, a 502 from "the gateway", or a connection that hangs,
 * either before the request is handled (nothing happened) or after (it
 * happened, the answer is lost). Instance faults hit machines: a slow start,
 * STATUS_ERROR, a relocation. Each rule has a rate (the chance that a
 * matching request or instance is hit) and an optional count (how many times
 * at most). Rules are written `kind=500,path=/v2/spot/bids,method=POST,
 * rate=0.5,count=2,phase=after` on the command line, or given as objects.
 */
import { parseDuration, type Parsed } from './options.js';

export const HTTP_FAULTS = ['429', '500', '502', 'hang'] as const;
export const INSTANCE_FAULTS = ['slow-start', 'error', 'relocate'] as const;
export type HttpFaultKind = (typeof HTTP_FAULTS)[number];
export type InstanceFaultKind = (typeof INSTANCE_FAULTS)[number];

export interface FaultRule {
  kind: HttpFaultKind | InstanceFaultKind;
  /** HTTP faults: the method (any when absent) and path (`*` matches within a segment, `**` anything; `{x}` one segment) */
  method?: string;
  path?: string;
  /** chance per matching request, or per instance (slow-start: at each start; error, relocate: at each tick it runs) */
  rate: number;
  /** at most this many hits */
  count?: number;
  /** 429: the Retry-After it sends, seconds (default 1) */
  retryAfter?: number;
  /** HTTP faults: before the request is handled (default) or after */
  phase?: 'before' | 'after';
  /** slow-start: the extra start-up time, ms (default 30 s); relocate: how long it takes (default 5 min) */
  delayMs?: number;
  /** instance faults: only instances of this type name and region */
  instanceType?: string;
  region?: string;
}

const KINDS: readonly string[] = [...HTTP_FAULTS, ...INSTANCE_FAULTS];

export function isHttpFault(kind: FaultRule['kind']): kind is HttpFaultKind {
  return (HTTP_FAULTS as readonly string[]).includes(kind);
}

/** A rule from its command-line form. */
export function parseFault(text: string): Parsed<FaultRule> {
  const fields = new Map<string, string>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, message: `fault ${text}: ${part} is not key=value` };
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return checkFault(Object.fromEntries(fields), text);
}

/** A rule from an object (the admin path's JSON, or the command line's fields), checked. */
export function checkFault(raw: Record<string, unknown>, shown = JSON.stringify(raw)): Parsed<FaultRule> {
  const bad = (why: string): Parsed<FaultRule> => ({ ok: false, message: `fault ${shown}: ${why}` });
  const kind = String(raw.kind ?? '');
  if (!KINDS.includes(kind)) return bad(`kind must be one of ${KINDS.join(', ')}`);
  const rule: FaultRule = { kind: kind as FaultRule['kind'], rate: 1 };
  for (const [k, v] of Object.entries(raw)) {
    const s = String(v);
    switch (k) {
      case 'kind':
        break;
      case 'method':
        rule.method = s.toUpperCase();
        break;
      case 'path':
        if (!s.startsWith('/')) return bad('path must start with /');
        rule.path = s;
        break;
      case 'rate': {
        const n = Number(s);
        if (!(n >= 0 && n <= 1)) return bad('rate must be between 0 and 1');
        rule.rate = n;
        break;
      }
      case 'count': {
        if (!/^\d+$/.test(s)) return bad('count must be a whole number');
        rule.count = Number(s);
        break;
      }
      case 'retryAfter':
      case 'retry-after': {
        if (!/^\d+$/.test(s)) return bad('retry-after must be whole seconds');
        rule.retryAfter = Number(s);
        break;
      }
      case 'phase':
        if (s !== 'before' && s !== 'after') return bad('phase must be before or after');
        rule.phase = s;
        break;
      case 'delayMs':
        rule.delayMs = Number(s);
        break;
      case 'delay': {
        const d = parseDuration(s);
        if (!d.ok) return bad(d.message);
        rule.delayMs = d.value;
        break;
      }
      case 'instanceType':
      case 'type':
        rule.instanceType = s;
        break;
      case 'region':
        rule.region = s;
        break;
      default:
        return bad(`unknown field ${k}`);
    }
  }
  const http = isHttpFault(rule.kind);
  if (!http && (rule.method !== undefined || rule.path !== undefined || rule.phase !== undefined)) return bad('method, path and phase are for HTTP faults');
  if (http && (rule.instanceType !== undefined || rule.region !== undefined || rule.delayMs !== undefined)) return bad('type, region and delay are for instance faults');
  return { ok: true, value: rule };
}

/** `/v2/spot/bids/{bid_fid}` or `/v2/spot/*` as a regular expression over paths. */
export function pathPattern(pattern: string): RegExp {
  const re = pattern.split(/(\{[^}]+\}|\*\*|\*)/).map((p) => {
    if (p === '**') return '.*';
    if (p === '*' || /^\{[^}]+\}$/.test(p)) return '[^/]*';
    return p.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${re}$`);
}

interface LiveRule {
  rule: FaultRule;
  re: RegExp | null;
  hits: number;
}

/** The rules in force, with their hit counts, and the seeded chance behind their rates. */
export class Faults {
  #rules: LiveRule[] = [];

  constructor(private readonly random: () => number) {}

  add(rule: FaultRule): void {
    this.#rules.push({ rule, re: rule.path !== undefined ? pathPattern(rule.path) : null, hits: 0 });
  }

  clear(): void {
    this.#rules = [];
  }

  list(): { rule: FaultRule; hits: number }[] {
    return this.#rules.map((r) => ({ rule: r.rule, hits: r.hits }));
  }

  #hit(r: LiveRule, chance: number): boolean {
    if (r.rule.count !== undefined && r.hits >= r.rule.count) return false;
    if (chance < 1 && this.random() >= chance) return false;
    r.hits++;
    return true;
  }

  /** The HTTP fault for this request in this phase, if one strikes. */
  http(method: string, path: string, phase: 'before' | 'after'): FaultRule | null {
    for (const r of this.#rules) {
      const { rule } = r;
      if (!isHttpFault(rule.kind) || (rule.phase ?? 'before') !== phase) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (r.re !== null && !r.re.test(path)) continue;
      if (this.#hit(r, rule.rate)) return rule;
    }
    return null;
  }

  /** The instance fault of this kind for an instance, if one strikes. */
  instance(kind: InstanceFaultKind, typeName: string, region: string): FaultRule | null {
    for (const r of this.#rules) {
      const { rule } = r;
      if (rule.kind !== kind) continue;
      if (rule.instanceType !== undefined && rule.instanceType !== typeName) continue;
      if (rule.region !== undefined && rule.region !== region) continue;
      if (this.#hit(r, rule.rate)) return rule;
    }
    return null;
  }
}
