/**
 * Background demand: synthetic bidders who arrive, bid and leave, so that
 * prices move as in a real market. `bidders` is how many are present on
 * average in each pool, `lifetimeMs` how long one stays on average; arrivals
 * are Poisson, stays exponential, limits spread around the pool's reference
 * price. Pure: the random source is the caller's (seeded).
 */

export interface DemandConfig {
  /** synthetic bidders present in each pool, on average */
  bidders: number;
  /** how long one stays, on average */
  lifetimeMs: number;
}

export interface SyntheticBid {
  limitCents: number;
  quantity: number;
  lifetimeMs: number;
}

export interface PoolPrices {
  capacity: number;
  minimumCents: number;
  referenceCents: number;
}

/** Knuth's method: fine for the small means of one tick. */
function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

function oneBidder(pool: PoolPrices, lifetimeMs: number, random: () => number): SyntheticBid {
  const limitCents = Math.max(pool.minimumCents, Math.round(pool.referenceCents * (0.4 + 1.2 * random())));
  const quantity = random() < 0.7 ? 1 : 1 + Math.floor(random() * Math.min(pool.capacity, 4));
  return { limitCents, quantity: Math.max(1, Math.min(quantity, pool.capacity)), lifetimeMs: Math.max(1, Math.round(-Math.log(1 - random()) * lifetimeMs)) };
}

/** The bidders that arrive during one tick. */
export function arrivals(config: DemandConfig, pool: PoolPrices, tickMs: number, random: () => number): SyntheticBid[] {
  if (config.bidders <= 0 || pool.capacity <= 0) return [];
  const n = poisson((config.bidders * tickMs) / config.lifetimeMs, random);
  return Array.from({ length: n }, () => oneBidder(pool, config.lifetimeMs, random));
}

/** The bidders already there when the market opens. */
export function initialBidders(config: DemandConfig, pool: PoolPrices, random: () => number): SyntheticBid[] {
  if (config.bidders <= 0 || pool.capacity <= 0) return [];
  return Array.from({ length: Math.round(config.bidders) }, () => oneBidder(pool, config.lifetimeMs, random));
}
