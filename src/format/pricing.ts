/**
 * `flow pricing`: the spot market at a glance, one row per instance type
 * and region, as the Flow CLI's market view shows it: the spot price now,
 * the last clearing price (what the last allocation cost), the lowest bid
 * holding instances, and capacity free of the total. Pure: rows in, text out.
 */
import { formatDollars } from '../providers/mithril/money.js';

export interface PricingRow {
  instanceType: string;
  instanceTypeFid: string;
  region: string;
  /** per instance-hour, cents; null when the API did not say */
  spotCents: number | null;
  lastCents: number | null;
  lowestAllocatedCents: number | null;
  minimumCents: number | null;
  available: number | null;
  capacity: number | null;
  gpus: number;
}

const money = (c: number | null) => (c === null ? '-' : formatDollars(c));
const count = (n: number | null) => (n === null ? '-' : String(n));

export function sortRows(rows: PricingRow[]): PricingRow[] {
  return [...rows].sort((a, b) => a.instanceType.localeCompare(b.instanceType) || a.region.localeCompare(b.region));
}

export function pricingTable(rows: readonly PricingRow[]): string {
  const head = ['INSTANCE TYPE', 'REGION', 'SPOT', 'PER GPU', 'LAST', 'LOWEST WINNING', 'AVAILABLE', 'CAPACITY'];
  const body = rows.map((r) => [
    r.instanceType, r.region, money(r.spotCents), r.spotCents === null ? '-' : formatDollars(Math.round(r.spotCents / Math.max(1, r.gpus))),
    money(r.lastCents), money(r.lowestAllocatedCents), count(r.available), count(r.capacity),
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((row) => row[k]!.length)));
  const right = (k: number) => k >= 2;
  const line = (cells: string[]) => cells.map((c, k) => (right(k) ? c.padStart(widths[k]!) : c.padEnd(widths[k]!))).join('  ').trimEnd();
  return `${[line(head), ...body.map(line)].join('\n')}\n`;
}

export function pricingJson(rows: readonly PricingRow[]): string {
  return `${JSON.stringify(rows.map((r) => ({
    instance_type: r.instanceType,
    instance_type_fid: r.instanceTypeFid,
    region: r.region,
    spot_price: r.spotCents === null ? null : formatDollars(r.spotCents),
    spot_price_cents: r.spotCents,
    last_price: r.lastCents === null ? null : formatDollars(r.lastCents),
    last_price_cents: r.lastCents,
    lowest_allocated_price_cents: r.lowestAllocatedCents,
    minimum_price_cents: r.minimumCents,
    available_capacity: r.available,
    total_capacity: r.capacity,
    num_gpus: r.gpus,
  })), null, 2)}\n`;
}
