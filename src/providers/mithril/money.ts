/**
 * Mithril writes bid and availability prices as strings with a dollar sign
 * and two decimals ("$25.60", per instance per hour); its pricing paths use
 * integer cents. Inside our code money is always integer cents: no float ever
 * carries a price, so $13.01 stays 1301 and sums stay exact.
 */

const DOLLARS = /^\$(\d{1,9})(?:\.(\d{1,2}))?$/;

/** "$13.01" → 1301; anything else (no `$`, three decimals, a sign) → null. */
export function parseDollars(text: string): number | null {
  const m = DOLLARS.exec(text.trim());
  if (!m) return null;
  const cents = (m[2] ?? '').padEnd(2, '0');
  return Number(m[1]) * 100 + Number(cents);
}

/** 1301 → "$13.01". */
export function formatDollars(cents: number): string {
  if (!Number.isInteger(cents) || cents < 0) throw new RangeError(`not a price in cents: ${cents}`);
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A user's limit in dollars (a number from `--max-price-per-hour 12.5`) → cents, rounded to the cent. */
export function dollarsToCents(usd: number): number {
  return Math.round(usd * 100);
}
