/**
 * The fake market's auction (a pure function): the docs' worked example, and
 * its rules over random sequences of bids placed, cancelled and re-priced.
 */
import { describe, expect, it } from 'vitest';
import { clear, winningPrice, type AuctionBid, type AuctionInput } from '../../../src/providers/fake-mithril/auction.js';
import { rng } from '../../helpers/rng.js';

/** expect() per step is slow over 50,000 steps: check plainly, fail with the case */
function check(ok: boolean, message: string): void {
  if (!ok) expect.fail(message);
}

const bid = (id: string, dollars: number, quantity = 1, seq = 0): AuctionBid => ({ id, limitCents: Math.round(dollars * 100), quantity, seq });

describe("the docs' worked example", () => {
  // 3 instances, 6 bids: the 3 highest win and all pay $13.00, the highest
  // losing bid. The docs give the lowest winning bid ($16) and the highest
  // losing one ($13.00); the other four prices here are only illustrations.
  const six = [bid('a', 20, 1, 1), bid('b', 18, 1, 2), bid('c', 16, 1, 3), bid('d', 13, 1, 4), bid('e', 11, 1, 5), bid('f', 9, 1, 6)];
  const pool: AuctionInput = { capacity: 3, minimumCents: 100, bids: six };

  it('the three highest win and all pay $13.00', () => {
    const r = clear(pool);
    expect([...r.winners].sort()).toEqual(['a', 'b', 'c']);
    expect(r.priceCents).toBe(1300);
    expect(r.lowestWinningCents).toBe(1600);
    expect(r.allocated).toBe(3);
  });

  it('a later $13.01 bid is not allocated, and the spot price becomes $13.01', () => {
    const r = clear({ ...pool, bids: [...six, bid('g', 13.01, 1, 7)] });
    expect(r.winners.has('g')).toBe(false);
    expect([...r.winners].sort()).toEqual(['a', 'b', 'c']);
    expect(r.priceCents).toBe(1301);
  });

  it('to win a fourth instance now one must bid above $16.00 (ties go to the earlier bid)', () => {
    expect(winningPrice(pool, 1)).toBe(1601);
  });
});

describe('rules', () => {
  it('with no losing bid the price is the minimum', () => {
    expect(clear({ capacity: 4, minimumCents: 800, bids: [bid('a', 30, 2), bid('b', 9, 2)] }).priceCents).toBe(800);
  });

  it('a bid larger than the pool neither wins nor sets the price', () => {
    const r = clear({ capacity: 4, minimumCents: 800, bids: [bid('big', 99, 5, 1), bid('a', 10, 2, 2)] });
    expect([...r.winners]).toEqual(['a']);
    expect(r.oversized).toEqual(['big']);
    expect(r.priceCents).toBe(800);
  });

  it('once a bid loses for lack of room, cheaper bids lose behind it; equal ones may still fit', () => {
    const r = clear({ capacity: 4, minimumCents: 100, bids: [bid('a', 30, 3, 1), bid('b', 20, 2, 2), bid('c', 20, 1, 3), bid('d', 15, 1, 4)] });
    expect([...r.winners].sort()).toEqual(['a', 'c']);
    expect(r.priceCents).toBe(2000);
  });
});

describe('properties over 2,000 random sequences', () => {
  it('capacity, all-or-nothing, one clearing price equal to the highest losing bid, never above a winner\'s limit', () => {
    const rand = rng(12);
    let checked = 0;
    let contested = 0;
    for (let s = 0; s < 2000; s++) {
      const capacity = 1 + Math.floor(rand() * 12);
      const minimumCents = 100 * (1 + Math.floor(rand() * 10));
      const live = new Map<string, AuctionBid>();
      let seq = 0;
      for (let step = 0; step < 25; step++) {
        const r = rand();
        if (r < 0.6 || live.size === 0) {
          const id = `b${++seq}`;
          // prices on a coarse grid, so ties happen
          const limitCents = minimumCents + 50 * Math.floor(rand() * 40);
          const quantity = 1 + Math.floor(rand() * Math.min(capacity + 2, 8));
          live.set(id, { id, limitCents, quantity, seq });
        } else if (r < 0.8) {
          live.delete([...live.keys()][Math.floor(rand() * live.size)]!);
        } else {
          const b = [...live.values()][Math.floor(rand() * live.size)]!;
          live.set(b.id, { ...b, limitCents: minimumCents + 50 * Math.floor(rand() * 40) });
        }
        const bids = [...live.values()];
        const c = clear({ capacity, minimumCents, bids });
        const winners = bids.filter((b) => c.winners.has(b.id));
        const losers = bids.filter((b) => !c.winners.has(b.id) && b.quantity <= capacity);
        const where = `sequence ${s}, step ${step}: ${JSON.stringify({ capacity, minimumCents, bids })}`;
        // capacity is never exceeded; a winner gets all its instances (allocated counts them whole)
        const allocated = winners.reduce((n, b) => n + b.quantity, 0);
        check(allocated <= capacity && c.allocated === allocated, `capacity: ${where}`);
        // every winner pays the one clearing price: the highest losing bid (the minimum when none lost)
        const highestLosing = losers.length > 0 ? Math.max(...losers.map((b) => b.limitCents)) : null;
        check(c.priceCents === (highestLosing ?? minimumCents), `price ${c.priceCents}: ${where}`);
        // which is never above a winner's limit
        check(winners.every((w) => c.priceCents <= w.limitCents), `a winner pays above its limit: ${where}`);
        // and no loser was left out while it fitted at a price every winner could pay
        const room = capacity - allocated;
        check(losers.every((l) => l.quantity > room || l.limitCents < c.priceCents || l.limitCents === c.highestLosingCents), `a bid that fitted lost: ${where}`);
        if (losers.length > 0 && winners.length > 0) contested++;
        checked++;
      }
    }
    expect(checked).toBe(50_000);
    expect(contested).toBeGreaterThan(10_000);
  });

  it('winningPrice is the lowest price that wins', () => {
    const rand = rng(99);
    for (let s = 0; s < 1000; s++) {
      const capacity = 1 + Math.floor(rand() * 8);
      const bids = Array.from({ length: Math.floor(rand() * 10) }, (_, k) => bid(`b${k}`, 1 + Math.floor(rand() * 30), 1 + Math.floor(rand() * 3), k));
      const input = { capacity, minimumCents: 100, bids };
      const q = 1 + Math.floor(rand() * capacity);
      const p = winningPrice(input, q)!;
      const probe = (cents: number) => clear({ ...input, bids: [...bids, { id: 'x', limitCents: cents, quantity: q, seq: 1e9 }] }).winners.has('x');
      expect(probe(p)).toBe(true);
      if (p > 100) expect(probe(p - 1)).toBe(false);
    }
  });
});
