/**
 * The emulator's option values, parsed (pure): durations (`100ms`, `2s`,
 * `5m`, `1h`; a bare number is seconds) and capacity specs
 * (`h100-80gb.sxm.8x=4@us-central1-a`; the type may be written as the Flow SDK
 * writes it, `8xh100`).
 */
import { matchTypes } from '../mithril/instance-types.js';
import { CATALOG, REGIONS, typeFid } from './catalog.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

export function parseDuration(text: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/.exec(text.trim());
  if (!m) return { ok: false, message: `not a duration: ${text} (e.g. 100ms, 2s, 5m, 1h)` };
  return { ok: true, value: Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!) };
}

export interface PoolSpec {
  typeName: string;
  region: string;
  capacity: number;
}

/** The catalog as instance-type rows, for resolving names the way the client does. */
const catalogRows = () => CATALOG.map((t) => ({ fid: typeFid(t.name, 'any'), name: t.name, ...t.spec }));

/** `TYPE=N@REGION`, several separated by commas. */
export function parseCapacity(text: string): Parsed<PoolSpec[]> {
  const out: PoolSpec[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=@]+)=(\d+)@([a-z0-9-]+)$/.exec(part);
    if (!m) return { ok: false, message: `not a capacity: ${part} (TYPE=COUNT@REGION, e.g. h100-80gb.sxm.8x=4@us-central1-a)` };
    const matched = matchTypes(m[1]!, catalogRows());
    if (matched.length !== 1) {
      return { ok: false, message: `unknown instance type ${m[1]} (known: ${CATALOG.map((t) => t.name).join(', ')})` };
    }
    if (!(REGIONS as readonly string[]).includes(m[3]!)) return { ok: false, message: `unknown region ${m[3]} (known: ${REGIONS.join(', ')})` };
    const spec = { typeName: matched[0]!.name, region: m[3]!, capacity: Number(m[2]) };
    if (out.some((p) => p.typeName === spec.typeName && p.region === spec.region)) {
      return { ok: false, message: `${spec.typeName}@${spec.region} given twice` };
    }
    out.push(spec);
  }
  return out.length > 0 ? { ok: true, value: out } : { ok: false, message: 'no capacity given' };
}
