/**
 * What a bid has cost, from the market's own numbers: each instance's pricing
 * history (GET /v2/instances/pricing/history), every whole second billed at
 * the hourly price of its period, rounded to the cent per instance. Pure.
 */
import type { InstancePricingHistoryResponse } from './schemas.js';

export interface Spent {
  /** cents so far, all instances */
  costCents: number;
  /** cents per instance-hour of the latest period (0 before any billing) */
  priceCents: number;
  /** every period is closed: the sum will not change */
  final: boolean;
}

export function spent(history: InstancePricingHistoryResponse, nowMs: number): Spent {
  let costCents = 0;
  let priceCents = 0;
  let latest = -Infinity;
  let final = true;
  for (const i of history.instances) {
    let centSeconds = 0;
    for (const e of i.events) {
      const start = Date.parse(e.start_time);
      const end = e.end_time === null ? nowMs : Date.parse(e.end_time);
      if (e.end_time === null) final = false;
      centSeconds += e.price_cents * Math.floor(Math.max(0, end - start) / 1000);
      if (start >= latest) {
        latest = start;
        priceCents = e.price_cents;
      }
    }
    costCents += Math.round(centSeconds / 3600);
  }
  return { costCents, priceCents, final };
}
