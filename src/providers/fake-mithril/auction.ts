/**
 * The spot auction of one pool (an instance type in a region), as Mithril's
 * docs describe it: blind, second-price, per-instance limit prices. Pure:
 * a snapshot of the open bids in, the allocation and the spot price out; the
 * market (market.ts) runs it on every tick.
 *
 * - The highest limit prices win the capacity; at equal prices the earlier
 *   bid goes first (it holds its place).
 * - A bid for several instances wins all of them or none.
 * - Every winner pays the same spot price: the highest losing bid (or the
 *   pool's minimum when no bid lost). So that this is never above a winner's
 *   own limit, once a bid has lost for lack of room, only bids at that same
 *   price may still win what room is left; cheaper bids lose behind it.
 * - A losing bid raises the spot price even though it gets nothing (the docs'
 *   $13.01 bid).
 * - A bid for more instances than the pool holds cannot win at any price: it
 *   takes no part (it neither wins nor sets the price) and waits.
 */

export interface AuctionBid {
  id: string;
  limitCents: number;
  quantity: number;
  /** arrival order: the earlier bid wins a tie */
  seq: number;
}

export interface AuctionInput {
  capacity: number;
  minimumCents: number;
  bids: readonly AuctionBid[];
}

export interface Clearing {
  winners: Set<string>;
  /** bids that competed and lost, highest first */
  losers: string[];
  /** bids larger than the whole pool */
  oversized: string[];
  /** what every winner pays per instance-hour: the highest losing limit, or the minimum */
  priceCents: number;
  allocated: number;
  lowestWinningCents: number | null;
  highestLosingCents: number | null;
}

const byPriority = (a: AuctionBid, b: AuctionBid) => b.limitCents - a.limitCents || a.seq - b.seq;

export function clear(input: AuctionInput): Clearing {
  const winners = new Set<string>();
  const losers: string[] = [];
  const oversized: string[] = [];
  let room = input.capacity;
  let cutoff: number | null = null;
  let lowestWinning: number | null = null;
  const sorted = input.bids.filter((b) => {
    if (b.quantity <= input.capacity) return true;
    oversized.push(b.id);
    return false;
  }).sort(byPriority);
  for (const b of sorted) {
    if ((cutoff === null || b.limitCents >= cutoff) && b.quantity <= room) {
      winners.add(b.id);
      room -= b.quantity;
      lowestWinning = b.limitCents;
    } else {
      losers.push(b.id);
      cutoff ??= b.limitCents;
    }
  }
  return {
    winners,
    losers,
    oversized,
    priceCents: Math.max(input.minimumCents, cutoff ?? input.minimumCents),
    allocated: input.capacity - room,
    lowestWinningCents: lowestWinning,
    highestLosingCents: cutoff,
  };
}

/**
 * The lowest limit at which a new bid for `quantity` instances would win now
 * (it arrives last, so it loses ties); null when the pool is too small.
 */
export function winningPrice(input: AuctionInput, quantity: number): number | null {
  if (quantity > input.capacity || quantity < 1) return null;
  const wins = (cents: number) => clear({ ...input, bids: [...input.bids, { id: '\0probe', limitCents: cents, quantity, seq: Infinity }] }).winners.has('\0probe');
  let hi = Math.max(input.minimumCents, ...input.bids.map((b) => b.limitCents)) + 1;
  let lo = input.minimumCents;
  if (wins(lo)) return lo;
  // winning is monotone in the price: bisect between a losing and a winning price
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wins(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
