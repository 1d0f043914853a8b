/**
 * `flow pricing [--json] [--instance-type T] [--region R]`: the spot market
 * of the Mithril API that MITHRIL_API_URL names (the real one, or a `flow
 * emulator`). Built as its own bundle (dist/mithril.cjs, with undici), loaded
 * only when this subcommand runs.
 */
import { loadCluster } from '../cluster/load.js';
import { pricingJson, pricingTable, sortRows, type PricingRow } from '../format/pricing.js';
import { MithrilClient } from '../providers/mithril/client.js';
import { MithrilError } from '../providers/mithril/errors.js';
import { matchTypes } from '../providers/mithril/instance-types.js';
import { parseDollars } from '../providers/mithril/money.js';
import { mithrilSettings } from '../providers/mithril/settings.js';
import type { IO } from './io.js';

export interface PricingOptions {
  json?: boolean;
  instanceType?: string;
  region?: string;
}

/** Run `f` over items, at most `n` at a time, keeping their order. */
async function limited<T, R>(items: readonly T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await f(items[k]!);
    }
  }));
  return out;
}

export async function pricingCommand(opts: PricingOptions, io: IO): Promise<number> {
  const cluster = loadCluster(io.env);
  // the Mithril section of flow.json is read here: a broken or missing file is said, not skipped
  if (!cluster.ok) {
    io.stderr(`flow: error: ${cluster.message}\n`);
    return 1;
  }
  const settings = mithrilSettings(io.env, cluster.cluster.flow);
  if (!settings.ok) {
    io.stderr(`flow: error: ${settings.message}\n`);
    return 1;
  }
  // once read, the key leaves the environment: a diagnostic report (node --report) prints the environment
  if (io.env === process.env) delete process.env.MITHRIL_API_KEY;
  const key = settings.settings.key;
  const client = new MithrilClient(settings.settings, { log: (line) => { if (io.env.FLOW_DEBUG) io.stderr(`${line}\n`); } });
  try {
    const [types, availability] = await Promise.all([client.instanceTypes(), client.availability()]);
    const wanted = opts.instanceType !== undefined ? new Set(matchTypes(opts.instanceType, types).map((t) => t.fid)) : null;
    const rows = availability.filter((a) => (wanted === null || wanted.has(a.instance_type)) && (opts.region === undefined || a.region === opts.region));
    if (rows.length === 0 && (opts.instanceType !== undefined || opts.region !== undefined)) {
      const what = [opts.instanceType !== undefined ? ` for instance type ${opts.instanceType}` : '', opts.region !== undefined ? ` in region ${opts.region}` : ''].join('');
      io.stderr(`flow: error: no spot market${what}\n`);
      return 1;
    }
    const byFid = new Map(types.map((t) => [t.fid, t]));
    const out: PricingRow[] = await limited(rows, 8, async (a) => {
      const p = await client.currentPrice(a.instance_type, a.region);
      const t = byFid.get(a.instance_type);
      return {
        instanceType: t?.name ?? a.instance_type,
        instanceTypeFid: a.instance_type,
        region: a.region,
        spotCents: p.spot_price_cents ?? null,
        lastCents: parseDollars(a.last_instance_price),
        lowestAllocatedCents: p.lowest_allocated_bid_cents ?? (a.lowest_allocated_price ? parseDollars(a.lowest_allocated_price) : null),
        minimumCents: p.minimum_price_cents ?? null,
        available: p.available_capacity ?? a.capacity,
        capacity: p.total_capacity ?? null,
        gpus: t?.num_gpus ?? 1,
      };
    });
    io.stdout(opts.json ? pricingJson(sortRows(out)) : pricingTable(sortRows(out)));
    return 0;
  } catch (e) {
    // our errors are one line already; anything else is reported in one line too, never with the key
    const message = e instanceof MithrilError ? e.message : `mithril: ${e instanceof Error ? e.message : String(e)}`;
    io.stderr(`flow: error: ${key.redact(message)}\n`);
    return 1;
  } finally {
    await client.close();
  }
}
