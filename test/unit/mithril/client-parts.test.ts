/**
 * The client's pure parts: money, FastAPI errors to one line, Retry-After and
 * backoff, settings and their sources, instance-type names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { classify, detailText, httpError } from '../../../src/providers/mithril/errors.js';
import { matchTypes, resolveType, shortForm } from '../../../src/providers/mithril/instance-types.js';
import { dollarsToCents, formatDollars, parseDollars } from '../../../src/providers/mithril/money.js';
import type { AuctionModel, InstanceTypeModel } from '../../../src/providers/mithril/schemas.js';
import { Secret } from '../../../src/providers/mithril/secret.js';
import { mithrilSettings, parseFlowCliConfig } from '../../../src/providers/mithril/settings.js';
import { backoffMs, queryString, retryAfterMs } from '../../../src/providers/mithril/transport.js';
import { rng } from '../../helpers/rng.js';

describe('money', () => {
  it.each([
    ['$13.01', 1301], ['$13.00', 1300], ['$13', 1300], ['$0.5', 50], ['$0.05', 5], ['$25.60', 2560], ['$100000.00', 10_000_000],
    ['13.01', null], ['$13.001', null], ['-$1.00', null], ['$-1.00', null], ['$', null], ['$1,000.00', null], ['', null],
  ])('%s → %s cents', (text, cents) => {
    expect(parseDollars(text)).toBe(cents);
  });

  it('formats and reads back every cent value', () => {
    for (let c = 0; c < 20_000; c += 7) expect(parseDollars(formatDollars(c))).toBe(c);
    expect(formatDollars(1301)).toBe('$13.01');
    expect(formatDollars(5)).toBe('$0.05');
    expect(() => formatDollars(1.5)).toThrow();
    expect(dollarsToCents(12.345)).toBe(1235);
    expect(dollarsToCents(0.1 + 0.2)).toBe(30);
  });
});

describe('FastAPI errors in one line', () => {
  const list = JSON.stringify({ detail: [
    { loc: ['body', 'launch_specification', 'ssh_keys'], msg: 'Field required', type: 'missing' },
    { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 100', type: 'less_than_equal' },
  ] });
  it.each([
    [422, list, 'validation', 'mithril: POST /v2/spot/bids: 422 body.launch_specification.ssh_keys: Field required; query.limit: Input should be less than or equal to 100'],
    [400, '{"detail":"Limit price below minimum: $5.00 is below the minimum of $8.00"}', 'price', 'mithril: POST /v2/spot/bids: 400 Limit price below minimum: $5.00 is below the minimum of $8.00'],
    [400, '{"detail":"Bid price below minimum"}', 'price', 'mithril: POST /v2/spot/bids: 400 Bid price below minimum'],
    [400, '{"detail":"Quota exceeded for project proj_x"}', 'quota', 'mithril: POST /v2/spot/bids: 400 Quota exceeded for project proj_x'],
    [400, '{"detail":"Bid name already used: a"}', 'name-conflict', 'mithril: POST /v2/spot/bids: 400 Bid name already used: a'],
    [409, '{"detail":"Conflict"}', 'name-conflict', 'mithril: POST /v2/spot/bids: 409 Conflict'],
    [400, '{"detail":"Unknown instance type: it_x"}', 'instance-type', 'mithril: POST /v2/spot/bids: 400 Unknown instance type: it_x'],
    [400, '{"detail":"Unknown region: x"}', 'region', 'mithril: POST /v2/spot/bids: 400 Unknown region: x'],
    [400, '{"detail":"Instance type it_x is not available in region r"}', 'region', 'mithril: POST /v2/spot/bids: 400 Instance type it_x is not available in region r'],
    [401, '{"detail":"Invalid API key"}', 'auth', 'mithril: POST /v2/spot/bids: 401 Invalid API key (check MITHRIL_API_KEY)'],
    [403, '{"detail":"Not authenticated"}', 'auth', 'mithril: POST /v2/spot/bids: 403 Not authenticated (check MITHRIL_API_KEY)'],
    [404, '{"detail":"Not Found"}', 'not-found', 'mithril: POST /v2/spot/bids: 404 Not Found'],
    [502, '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>', 'server', 'mithril: POST /v2/spot/bids: 502 Bad Gateway'],
    [500, '', 'server', 'mithril: POST /v2/spot/bids: 500 Internal Server Error'],
    [503, 'upstream connect error\nor disconnect', 'server', 'mithril: POST /v2/spot/bids: 503 upstream connect error'],
    [400, '{"detail":"two\\nlines"}', 'validation', 'mithril: POST /v2/spot/bids: 400 two lines'],
  ])('%i %s', (status, body, kind, message) => {
    const e = httpError('POST', '/v2/spot/bids', status, body);
    expect(e.kind).toBe(kind);
    expect(e.message).toBe(message);
    expect(e.status).toBe(status);
  });

  it('detailText is null for a body that is not FastAPI\'s', () => {
    expect(detailText('{"error":"x"}')).toBeNull();
    expect(detailText('nope')).toBeNull();
    expect(classify(429, 'slow down')).toBe('rate-limit');
  });
});

describe('retries', () => {
  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(' 0 ')).toBe(0);
    expect(retryAfterMs(undefined)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 08:00:00 GMT'))).toBe(0);
  });

  it('backs off exponentially, with jitter, up to the cap', () => {
    const r = rng(3);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(10_000, 500 * 2 ** (attempt - 1));
      const waits = Array.from({ length: 200 }, () => backoffMs(attempt, 500, 10_000, r));
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Math.max(...waits)).toBeLessThanOrEqual(ceiling);
      expect(new Set(waits).size).toBeGreaterThan(50);
    }
  });

  it('writes list parameters comma-separated and leaves out the absent ones', () => {
    expect(queryString({ project: 'proj_1', bid_fid_in: ['bid_a', 'bid_b'], limit: 100, name: undefined, region: null })).toBe('?project=proj_1&bid_fid_in=bid_a%2Cbid_b&limit=100');
    expect(queryString({})).toBe('');
  });
});

describe('settings', () => {
  const home = mkdtempSync(join(tmpdir(), 'flow-settings-'));
  mkdirSync(join(home, '.flow'));
  writeFileSync(join(home, '.flow', 'config.yaml'), "# the Flow CLI's config\napi_key: 'fkey_fromfile'\napi_url: https://file.example/\nproject: from-file\nprofiles:\n  other:\n    api_key: fkey_other\n");
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reads the Flow CLI config', () => {
    expect(parseFlowCliConfig('api_key: "a b"\nproject: p # comment\n  nested: x\n')).toEqual({ api_key: 'a b', project: 'p' });
  });

  it('takes MITHRIL_* first, then flow.json, then ~/.flow/config.yaml', () => {
    const fromFile = mithrilSettings({ HOME: home });
    expect(fromFile.ok && { url: fromFile.settings.apiUrl, project: fromFile.settings.project, key: fromFile.settings.key.reveal() })
      .toEqual({ url: 'https://file.example', project: 'from-file', key: 'fkey_fromfile' });
    const cluster = mithrilSettings({ HOME: home }, { mithril: { apiUrl: 'http://127.0.0.1:9', project: 'proj_cluster' } });
    expect(cluster.ok && [cluster.settings.apiUrl, cluster.settings.project]).toEqual(['http://127.0.0.1:9', 'proj_cluster']);
    const env = mithrilSettings({ HOME: home, MITHRIL_API_KEY: 'fkey_env', MITHRIL_API_URL: 'http://x:1/', MITHRIL_PROJECT: 'p' }, { mithril: { apiUrl: 'http://y', project: 'q' } });
    expect(env.ok && [env.settings.apiUrl, env.settings.project, env.settings.key.reveal()]).toEqual(['http://x:1', 'p', 'fkey_env']);
    expect(mithrilSettings({ HOME: '/nonexistent', MITHRIL_API_KEY: 'k' })).toMatchObject({ ok: true, settings: { apiUrl: 'https://api.mithril.ai' } });
  });

  it('refuses without a key, and a URL that is not http(s)', () => {
    expect(mithrilSettings({ HOME: '/nonexistent' })).toEqual({ ok: false, message: 'no Mithril API key: set MITHRIL_API_KEY (or api_key in ~/.flow/config.yaml)' });
    expect(mithrilSettings({ HOME: '/nonexistent', MITHRIL_API_KEY: 'k', MITHRIL_API_URL: 'ftp://x' })).toEqual({ ok: false, message: 'MITHRIL_API_URL is not an http(s) URL: ftp://x' });
  });

  it('keeps the key out of every printed form', () => {
    const s = new Secret('fkey_verysecret');
    const shown = [String(s), `${s}`, JSON.stringify({ s }), inspect({ s }, { showHidden: true, depth: 5 })].join(' ');
    expect(shown).not.toContain('verysecret');
    expect(s.redact('Bearer fkey_verysecret and fkey_verysecret')).toBe('Bearer [redacted] and [redacted]');
  });
});

describe('instance type names', () => {
  const t = (fid: string, name: string, gpus: number, gpu: string): InstanceTypeModel => ({
    fid, name, num_gpus: gpus, gpu_type: gpu, num_cpus: 1, cpu_type: 'x', ram_gb: 1, gpu_memory_gb: 80, gpu_socket: 'SXM', local_storage_gb: 1, ib_count: 0, bridge_count: 0,
  });
  const types = [t('it_h1', 'h100-80gb.sxm.8x', 8, 'H100'), t('it_h2', 'h100-80gb.sxm.8x', 8, 'H100'), t('it_a1', 'a100-80gb.sxm.1x', 1, 'A100'), t('it_a2', 'a100-80gb.sxm.2x', 2, 'A100')];
  const row = (fid: string, region: string): AuctionModel => ({ fid: `auc_${fid}`, instance_type: fid, region, capacity: 1, last_instance_price: '$1.00', adjustable_memory: false });
  const availability = [row('it_h1', 'us-central1-a'), row('it_h2', 'eu-central1-a'), row('it_a1', 'us-central1-a')];

  it.each([
    ['8xh100', { gpu: 'h100', count: 8 }], ['h100x8', { gpu: 'h100', count: 8 }], ['H100', { gpu: 'h100', count: 8 }], ['a100', { gpu: 'a100', count: 1 }],
    ['2xa100', { gpu: 'a100', count: 2 }], ['h100-80gb.sxm.8x', null], ['8x', null],
  ])('%s', (text, form) => {
    expect(shortForm(text)).toEqual(form);
  });

  it('matches API names, short forms and fids', () => {
    expect(matchTypes('h100-80gb.sxm.8x', types).map((x) => x.fid)).toEqual(['it_h1', 'it_h2']);
    expect(matchTypes('8xh100', types).map((x) => x.fid)).toEqual(['it_h1', 'it_h2']);
    expect(matchTypes('a100', types).map((x) => x.fid)).toEqual(['it_a1']);
    expect(matchTypes('2xa100', types).map((x) => x.fid)).toEqual(['it_a2']);
    expect(matchTypes('it_a2', types).map((x) => x.fid)).toEqual(['it_a2']);
    expect(matchTypes('4xa100', types)).toEqual([]);
  });

  it('resolves to each region that sells it, with that region\'s fid', () => {
    expect(resolveType('8xh100', types, availability)).toEqual([
      { fid: 'it_h2', name: 'h100-80gb.sxm.8x', region: 'eu-central1-a' },
      { fid: 'it_h1', name: 'h100-80gb.sxm.8x', region: 'us-central1-a' },
    ]);
    expect(resolveType('8xh100', types, availability, 'us-central1-a')).toEqual([{ fid: 'it_h1', name: 'h100-80gb.sxm.8x', region: 'us-central1-a' }]);
    // sold nowhere
    expect(resolveType('2xa100', types, availability)).toEqual([]);
  });
});
