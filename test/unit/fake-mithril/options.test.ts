/**
 * The emulator's option values and fault rules, as the command line and the
 * admin path give them; and background demand moving the price.
 */
import { describe, expect, it } from 'vitest';
import { emulatorSettings } from '../../../src/commands/flow-emulator.js';
import { Faults, parseFault, pathPattern } from '../../../src/providers/fake-mithril/faults.js';
import { DEFAULT_MARKET, Market, type Machines } from '../../../src/providers/fake-mithril/market.js';
import { parseCapacity, parseDuration } from '../../../src/providers/fake-mithril/options.js';
import { pricingTable } from '../../../src/format/pricing.js';
import { rng } from '../../helpers/rng.js';

describe('durations and capacity', () => {
  it.each([['100ms', 100], ['2s', 2000], ['1.5s', 1500], ['5m', 300_000], ['5min', 300_000], ['1h', 3_600_000], ['3', 3000]])('%s', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it('refuses what is not a duration', () => {
    expect(parseDuration('soon')).toEqual({ ok: false, message: 'not a duration: soon (e.g. 100ms, 2s, 5m, 1h)' });
    expect(parseDuration('-1s').ok).toBe(false);
  });

  it('reads TYPE=COUNT@REGION lists, in API names or the SDK\'s short forms', () => {
    expect(parseCapacity('h100-80gb.sxm.8x=4@us-central1-a, 2xa100=1@eu-central1-b')).toEqual({
      ok: true,
      value: [{ typeName: 'h100-80gb.sxm.8x', region: 'us-central1-a', capacity: 4 }, { typeName: 'a100-80gb.sxm.2x', region: 'eu-central1-b', capacity: 1 }],
    });
  });

  it.each([
    ['h100=4', 'not a capacity: h100=4 (TYPE=COUNT@REGION, e.g. h100-80gb.sxm.8x=4@us-central1-a)'],
    ['z100=4@us-central1-a', 'unknown instance type z100 (known: a100-80gb.sxm.1x, a100-80gb.sxm.2x, a100-80gb.sxm.4x, a100-80gb.sxm.8x, h100-80gb.sxm.8x, h200-141gb.sxm.8x, b200-192gb.8x)'],
    ['h100=4@moon-1', 'unknown region moon-1 (known: us-central1-a, us-central1-b, us-central2-a, eu-central1-a, eu-central1-b, me-central1-a)'],
    ['h100=4@us-central1-a,8xh100=1@us-central1-a', 'h100-80gb.sxm.8x@us-central1-a given twice'],
    ['', 'no capacity given'],
  ])('refuses %j', (text, message) => {
    expect(parseCapacity(text)).toEqual({ ok: false, message });
  });

  it('checks every emulator option', () => {
    const ok = emulatorSettings({ tick: '100ms', notice: '2s', demand: '3', fault: ['kind=429,path=/v2/spot/bids,retry-after=2'], seed: '7', sshPort: '2200' });
    expect(ok.ok && ok.value).toMatchObject({ tickMs: 100, noticeMs: 2000, bidders: 3, seed: 7, sshPort: 2200, faults: [{ kind: '429', path: '/v2/spot/bids', retryAfter: 2, rate: 1 }] });
    expect(emulatorSettings({ tick: '1ms' })).toEqual({ ok: false, message: '--tick: at least 10ms' });
    expect(emulatorSettings({ port: '70000' })).toEqual({ ok: false, message: '--port: not a port: 70000' });
    expect(emulatorSettings({ demand: 'lots' })).toEqual({ ok: false, message: '--demand: not a number of bidders (0 to 1000): lots' });
    expect(emulatorSettings({ notice: 'x' })).toEqual({ ok: false, message: '--notice: not a duration: x (e.g. 100ms, 2s, 5m, 1h)' });
  });
});

describe('fault rules', () => {
  it('parse from the command line', () => {
    expect(parseFault('kind=500,path=/v2/spot/bids,method=post,rate=0.25,count=2,phase=after')).toEqual({
      ok: true, value: { kind: '500', path: '/v2/spot/bids', method: 'POST', rate: 0.25, count: 2, phase: 'after' },
    });
    expect(parseFault('kind=slow-start,delay=30s,type=h100-80gb.sxm.8x')).toEqual({ ok: true, value: { kind: 'slow-start', rate: 1, delayMs: 30_000, instanceType: 'h100-80gb.sxm.8x' } });
  });

  it.each([
    ['kind=boom', 'kind must be one of 429, 500, 502, hang, slow-start, error, relocate'],
    ['kind=500,rate=2', 'rate must be between 0 and 1'],
    ['kind=500,path=v2', 'path must start with /'],
    ['kind=500,colour=red', 'unknown field colour'],
    ['kind=500,region=x', 'type, region and delay are for instance faults'],
    ['kind=error,path=/v2', 'method, path and phase are for HTTP faults'],
    ['kind=500,phase=during', 'phase must be before or after'],
    ['kind', 'kind is not key=value'],
  ])('refuse %s', (text, why) => {
    expect(parseFault(text)).toEqual({ ok: false, message: `fault ${text}: ${why}` });
  });

  it('match paths by template and glob', () => {
    expect(pathPattern('/v2/spot/bids/{bid_fid}').test('/v2/spot/bids/bid_x')).toBe(true);
    expect(pathPattern('/v2/spot/bids/{bid_fid}').test('/v2/spot/bids/bid_x/status')).toBe(false);
    expect(pathPattern('/v2/**').test('/v2/spot/bids/bid_x/status')).toBe(true);
    expect(pathPattern('/v2/*/bids').test('/v2/spot/bids')).toBe(true);
  });

  it('strike at their rate, at most count times, in their phase', () => {
    const f = new Faults(rng(1));
    f.add({ kind: '500', path: '/v2/spot/bids', rate: 0.5 });
    f.add({ kind: 'hang', method: 'POST', rate: 1, count: 2, phase: 'after' });
    let hits = 0;
    for (let k = 0; k < 1000; k++) if (f.http('GET', '/v2/spot/bids', 'before')) hits++;
    expect(hits).toBeGreaterThan(420);
    expect(hits).toBeLessThan(580);
    expect(f.http('POST', '/v2/instances', 'before')).toBeNull();
    expect(f.http('POST', '/v2/instances', 'after')?.kind).toBe('hang');
    expect(f.http('POST', '/v2/x', 'after')?.kind).toBe('hang');
    expect(f.http('POST', '/v2/x', 'after')).toBeNull();
  });
});

describe('background demand', () => {
  it('synthetic bidders arrive and leave, and the spot price moves', () => {
    const clock = { t: 1_800_000_000_000 };
    const none: Machines = { boot: () => Promise.resolve(), signal: () => {}, halt: () => {} };
    const m = new Market({ ...DEFAULT_MARKET, pools: [{ typeName: 'h100-80gb.sxm.8x', region: 'us-central1-a', capacity: 4 }], tickMs: 1000, subnet: '127.99', demand: { bidders: 8, lifetimeMs: 20_000 } },
      none, new Faults(rng(2)), rng(2), () => clock.t);
    const pool = m.pools[0]!;
    const prices = new Set<number>();
    const present: number[] = [];
    for (let k = 0; k < 600; k++) {
      clock.t += 1000;
      m.tick();
      prices.add(pool.priceCents);
      present.push([...m.bids.values()].filter((b) => b.synthetic).length);
      expect(m.used(pool)).toBeLessThanOrEqual(4);
      expect(pool.priceCents).toBeGreaterThanOrEqual(pool.type.minimumCents);
    }
    // about 8 present on average, the price took many values, and the history kept each change
    const mean = present.reduce((a, b) => a + b, 0) / present.length;
    expect(mean).toBeGreaterThan(5);
    expect(mean).toBeLessThan(12);
    expect(prices.size).toBeGreaterThan(10);
    expect(pool.history.length).toBeGreaterThan(10);
    // synthetic bidders are nobody's: the user's listing does not show them
    expect(() => m.bid([...m.bids.values()].find((b) => b.synthetic)!.fid)).toThrow(/not found/);
  });
});

describe('flow pricing table', () => {
  it('aligns columns, prices right', () => {
    expect(pricingTable([
      { instanceType: 'h100-80gb.sxm.8x', instanceTypeFid: 'it_1', region: 'us-central1-a', spotCents: 1301, lastCents: 1300, lowestAllocatedCents: 1600, minimumCents: 800, available: 0, capacity: 3, gpus: 8 },
      { instanceType: 'a100-80gb.sxm.1x', instanceTypeFid: 'it_2', region: 'us-central1-b', spotCents: null, lastCents: null, lowestAllocatedCents: null, minimumCents: null, available: null, capacity: null, gpus: 1 },
    ])).toBe([
      'INSTANCE TYPE     REGION           SPOT  PER GPU    LAST  LOWEST WINNING  AVAILABLE  CAPACITY',
      'h100-80gb.sxm.8x  us-central1-a  $13.01    $1.63  $13.00          $16.00          0         3',
      'a100-80gb.sxm.1x  us-central1-b       -        -       -               -          -         -',
      '',
    ].join('\n'));
  });
});
