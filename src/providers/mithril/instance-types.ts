/**
 * Instance types by name. The API names a type `h100-80gb.sxm.8x` and gives
 * it a fid (`it_...`) that may differ from region to region; users (and our
 * flow.json) also write the Flow SDK's short forms: `8xh100`, `h100x8`, `h100`
 * (eight GPUs), `a100` (one), `2xa100`. A name resolves to the fids of every
 * type that matches it, then to the regions where the spot market offers
 * those fids (availability rows). Pure: the lists come from the caller.
 */
import type { AuctionModel, InstanceTypeModel } from './schemas.js';

export interface ResolvedType {
  fid: string;
  name: string;
  region: string;
}

/** A bare GPU name means this many GPUs (the Flow SDK's defaults). */
const BARE_COUNT: Record<string, number> = { a100: 1 };

/** `8xh100` / `h100x8` / `h100` → GPU model and count; null when the text is not a short form. */
export function shortForm(text: string): { gpu: string; count: number } | null {
  const t = text.trim().toLowerCase();
  let m = /^(\d+)x([a-z]+\d+[a-z]*)$/.exec(t);
  if (m) return { gpu: m[2]!, count: Number(m[1]) };
  m = /^([a-z]+\d+[a-z]*)x(\d+)$/.exec(t);
  if (m) return { gpu: m[1]!, count: Number(m[2]) };
  m = /^([a-z]+\d+[a-z]*)$/.exec(t);
  if (m) return { gpu: m[1]!, count: BARE_COUNT[m[1]!] ?? 8 };
  return null;
}

/** The instance types a name (or fid) stands for. */
export function matchTypes(text: string, types: readonly InstanceTypeModel[]): InstanceTypeModel[] {
  const t = text.trim();
  if (t.startsWith('it_')) return types.filter((x) => x.fid === t);
  const byName = types.filter((x) => x.name.toLowerCase() === t.toLowerCase());
  if (byName.length > 0) return byName;
  const s = shortForm(t);
  if (!s) return [];
  return types.filter((x) => x.num_gpus === s.count && (x.gpu_type.toLowerCase() === s.gpu || x.name.toLowerCase().startsWith(`${s.gpu}-`) || x.name.toLowerCase().startsWith(`${s.gpu}.`)));
}

/**
 * Where a name can be bought: one entry per (fid, region) on the spot market,
 * in region order; only `region` when one is given.
 */
export function resolveType(text: string, types: readonly InstanceTypeModel[], availability: readonly AuctionModel[], region?: string): ResolvedType[] {
  const matched = new Map(matchTypes(text, types).map((x) => [x.fid, x.name]));
  return availability
    .filter((a) => matched.has(a.instance_type) && (region === undefined || a.region === region))
    .map((a) => ({ fid: a.instance_type, name: matched.get(a.instance_type)!, region: a.region }))
    .sort((a, b) => a.region.localeCompare(b.region) || a.fid.localeCompare(b.fid));
}
