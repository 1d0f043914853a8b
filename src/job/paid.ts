/**
 * What a job's runs paid on a paying provider, as its `money` field keeps it
 * (money-3.lua: run number -> [cents per instance-hour, cents]), for sacct,
 * flow status and flow submit alike. Pure.
 */
export interface Paid {
  /** cents per instance-hour of the latest run */
  priceCents: number;
  /** cents, all the runs together */
  costCents: number;
}

/** The runs `pick` keeps (all when absent), together; undefined when none paid anything. */
export function paidBy(text: string | null | undefined, pick: (run: number) => boolean = () => true): Paid | undefined {
  if (!text) return undefined;
  const runs = Object.entries(JSON.parse(text) as Record<string, [number, number]>)
    .map(([run, [priceCents, costCents]]) => ({ run: Number(run), priceCents, costCents }))
    .filter((r) => pick(r.run))
    .sort((a, b) => a.run - b.run);
  if (runs.length === 0) return undefined;
  return { priceCents: runs[runs.length - 1]!.priceCents, costCents: runs.reduce((n, r) => n + r.costCents, 0) };
}

/** Cents as dollars with two decimals (`12.34`). */
export const usd = (cents: number): string => (cents / 100).toFixed(2);
