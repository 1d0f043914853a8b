/**
 * Our Mithril client against the fake Mithril API, over real HTTP, with real
 * machines in miniature (process trees, sshd on their own 127.x addresses).
 * Every exchange is recorded on the wire and, at the end, checked against
 * the OpenAPI document; everything the tests captured (client logs, server
 * logs, traffic, errors, command output) is searched for the API key.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessMachines, SIGNAL_FILE, findSshd } from '../../src/providers/fake-mithril/machines.js';
import { FakeMithril, type Exchange } from '../../src/providers/fake-mithril/server.js';
import { MithrilClient, type ClientOptions } from '../../src/providers/mithril/client.js';
import { MithrilError } from '../../src/providers/mithril/errors.js';
import { Secret } from '../../src/providers/mithril/secret.js';
import type { InstanceModel } from '../../src/providers/mithril/schemas.js';
import { checkRequest, checkResponse, templateOf } from '../helpers/openapi.js';
import { ROOT } from '../helpers/oracle.js';
import { freePort } from '../helpers/ports.js';

const KEY = `fkey_${randomBytes(16).toString('hex')}`;
const WRONG_KEY = `fkey_${randomBytes(16).toString('hex')}`;
const H100 = 'h100-80gb.sxm.8x';
const A100 = 'a100-80gb.sxm.1x';

const exchanges: Exchange[] = [];
/** every line, message and output the tests saw: searched for the key at the end */
const captured: string[] = [];
const capture = (line: string) => captured.push(line);

let dir: string;
let machines: ProcessMachines;
let server: FakeMithril;
let sshKeyFile: string;


function client(key = KEY, options: ClientOptions = {}): MithrilClient {
  return new MithrilClient({ apiUrl: server.url, key: new Secret(key), project: 'default' },
    { timeoutMs: 1500, baseDelayMs: 10, maxDelayMs: 100, attempts: 6, log: capture, ...options });
}

/** The error a promise rejects with, captured (its message, stack and inspection) for the key search. */
async function failure(p: Promise<unknown>): Promise<MithrilError> {
  try {
    await p;
  } catch (e) {
    captured.push(String(e), (e as Error).stack ?? '', inspect(e), JSON.stringify(e));
    if (e instanceof MithrilError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ssh(dest: string, command: string): { status: number; stdout: string; stderr: string } {
  const [host, port] = dest.includes(':') ? dest.split(':') : [dest, '22'];
  const r = spawnSync('ssh', ['-i', sshKeyFile, '-p', port!, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes',
    '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', `${userInfo().username}@${host}`, command], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flow-mithril-'));
  sshKeyFile = join(dir, 'id_ed25519');
  expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', sshKeyFile]).status).toBe(0);
  machines = new ProcessMachines({ root: join(dir, 'instances'), sshd: findSshd(), graceMs: 300, log: capture });
  server = new FakeMithril({
    pools: [{ typeName: H100, region: 'us-central1-a', capacity: 2 }, { typeName: A100, region: 'us-central1-b', capacity: 4 }, { typeName: H100, region: 'eu-central1-a', capacity: 8 }],
    tickMs: 50, noticeMs: 1500, stageMs: 50, relocateMs: 400, quota: 500, apiKey: KEY, seed: 1, sshPort: await freePort(), machines,
    record: (x) => exchanges.push(x), log: capture,
  });
  await server.start();
});

afterAll(async () => {
  await server?.stop();
  await machines?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the client against the fake API', () => {
  it('resolves the project, instance types per region, prices and pages of bids', async () => {
    const c = client();
    try {
      expect((await c.me()).email).toContain('@');
      const fid = await c.projectFid();
      expect(fid).toMatch(/^proj_/);
      // MITHRIL_PROJECT may be the fid itself; a project that is not there is said so
      const byFid = new MithrilClient({ apiUrl: server.url, key: new Secret(KEY), project: fid }, { log: capture });
      expect(await byFid.projectFid()).toBe(fid);
      await byFid.close();
      const missing = new MithrilClient({ apiUrl: server.url, key: new Secret(KEY), project: 'nope' }, { log: capture });
      expect((await failure(missing.listBids())).message).toBe('mithril: no project nope (projects: default)');
      await missing.close();
      const types = await c.instanceTypes();
      // one type, one fid per region
      expect(types.filter((t) => t.name === H100)).toHaveLength(2);
      const h100 = await c.resolveInstanceType('8xh100');
      expect(h100.map((r) => r.region)).toEqual(['eu-central1-a', 'us-central1-a']);
      expect(new Set(h100.map((r) => r.fid)).size).toBe(2);
      expect(await c.resolveInstanceType(H100, 'us-central1-a')).toEqual([h100[1]]);
      const price = await c.currentPrice(h100[1]!.fid, 'us-central1-a', 1);
      expect(price).toMatchObject({ spot_price_cents: 800, minimum_price_cents: 800, total_capacity: 2, available_capacity: 2, dynamic_win_price_cents: 800 });
      const history = await c.priceHistory({ instanceTypes: [h100[1]!.fid], numSamples: 5 });
      expect(history.series).toHaveLength(1);
      expect(history.series[0]!.spot_prices).toHaveLength(5);

      // bids: 105 of them, read back in two pages of the cursor
      const eu = h100[0]!;
      const made = await c.createSshKey('made-by-server');
      expect(made.private_key).toMatch(/BEGIN RSA PRIVATE KEY/);
      const key = await c.createSshKey('mine', readFileSync(`${sshKeyFile}.pub`, 'utf8'));
      expect((await c.sshKeys()).map((k) => k.name).sort()).toEqual(['made-by-server', 'mine']);
      for (let k = 0; k < 105; k++) {
        await c.createBid({ name: `page-${k}`, instanceType: eu.fid, region: eu.region, limitPriceCents: 800 + k, quantity: 1, sshKeys: [key.fid] });
      }
      const all = await c.listBids();
      expect(all.filter((b) => b.name.startsWith('page-'))).toHaveLength(105);
      expect(exchanges.filter((x) => x.path === '/v2/spot/bids' && x.method === 'GET' && x.query.includes('next_cursor=')).length).toBeGreaterThan(0);
      const one = all.find((b) => b.name === 'page-104')!;
      expect(one).toMatchObject({ limit_price: '$9.04', instance_quantity: 1, region: 'eu-central1-a' });
      expect((await c.getBid(one.fid)).name).toBe('page-104');
      expect((await c.updateBid(one.fid, { limitPriceCents: 1234 })).limit_price).toBe('$12.34');
      expect((await c.bidHistory(one.fid)).events.map((e) => e.event_type)).toContain('Limit Price Changed');
      await until('allocation', async () => (await c.bidStatus(one.fid)).status === 'Allocated');
      const insts = await until('instances', async () => {
        const l = await c.instances({ bidFids: [one.fid], statuses: ['STATUS_RUNNING'] });
        return l.length === 1 ? l : undefined;
      });
      expect((await c.instanceStatus(insts[0]!.fid)).status).toBe('STATUS_RUNNING');
      expect((await c.instanceStatusHistory({ bidFid: one.fid })).instances[0]!.events.map((e) => e.status)).toEqual(
        ['STATUS_NEW', 'STATUS_CONFIRMED', 'STATUS_INITIALIZING', 'STATUS_STARTING', 'STATUS_RUNNING']);
      for (const b of all.filter((x) => x.name.startsWith('page-'))) await c.deleteBid(b.fid);
      await c.deleteBid(one.fid); // a second DELETE is fine
      expect((await c.listBids({ status: 'Terminated' })).length).toBeGreaterThanOrEqual(105);
    } finally {
      await c.close();
    }
  });

  it('turns refusals into one clear line of the right kind', async () => {
    const c = client();
    const bad = client(WRONG_KEY);
    try {
      const [h] = await c.resolveInstanceType(H100, 'us-central1-a');
      const key = (await c.sshKeys())[0]!.fid;
      const bid = (over: object) => c.createBid({ name: `x-${randomBytes(3).toString('hex')}`, instanceType: h!.fid, region: h!.region, limitPriceCents: 900, quantity: 1, sshKeys: [key], ...over });
      const cases: [() => Promise<unknown>, string, RegExp][] = [
        [() => bad.projects(), 'auth', /^mithril: GET \/v2\/projects: 401 Invalid API key \(check MITHRIL_API_KEY\)$/],
        [() => bid({ limitPriceCents: 500 }), 'price', /^mithril: POST \/v2\/spot\/bids: 400 Limit price below minimum: \$5\.00 is below the minimum of \$8\.00/],
        [() => bid({ instanceType: 'it_nothing' }), 'instance-type', /400 Unknown instance type: it_nothing$/],
        [() => bid({ region: 'mars-north1-a' }), 'region', /400 Unknown region: mars-north1-a$/],
        [() => bid({ region: 'us-central1-b' }), 'region', /is not available in region us-central1-b$/],
        [() => bid({ quantity: 10_000 }), 'quota', /400 Quota exceeded/],
        [() => c.getBid('bid_nothing'), 'not-found', /404 Bid bid_nothing not found$/],
        [() => c.resolveInstanceType('9xq100'), 'instance-type', /no spot market for instance type 9xq100/],
      ];
      for (const [p, kind, text] of cases) {
        const e = await failure(p());
        expect(e.kind, e.message).toBe(kind);
        expect(e.message).toMatch(text);
        expect(e.message).not.toContain('\n');
      }
      await bid({ name: 'twice' });
      const twice = await failure(bid({ name: 'twice' }));
      expect(twice.kind).toBe('name-conflict');
      expect(twice.message).toBe('mithril: POST /v2/spot/bids: 400 Bid name already used: twice');
      // a body FastAPI refuses: its detail list in one line
      const raw = await fetch(`${server.url}/v2/spot/bids`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: '{"name": 5}' });
      expect(raw.status).toBe(422);
      const detail = (await raw.json()) as { detail: { loc: string[]; type: string }[] };
      expect(detail.detail.slice(0, 2)).toEqual([
        { loc: ['body', 'project'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'region'], msg: 'Field required', type: 'missing' },
      ]);
      expect(detail.detail.find((d) => d.loc[1] === 'name')).toMatchObject({ type: 'string_type' });
      for (const b of await c.listBids()) if (b.status !== 'Terminated') await c.deleteBid(b.fid);
    } finally {
      await c.close();
      await bad.close();
    }
  });
});

describe('instances are machines in miniature', () => {
  it('run the startup script with their own name, address and disk; answer ssh; get the signal file; die after the notice', async () => {
    expect(findSshd(), 'openssh-server is needed (apt-get install openssh-server; .ci/run installs it)').not.toBeNull();
    const c = client();
    try {
      const [h] = await c.resolveInstanceType(H100, 'us-central1-a');
      const key = (await c.sshKeys()).find((k) => k.name === 'mine')!.fid;
      const script = ['#!/bin/sh', 'echo "host=$(hostname) ip=$(hostname -i) pwd=$(pwd)" >> started.txt', 'sleep 600 &', 'echo $! > sleep.pid', 'wait', ''].join('\n');
      const a = await c.createBid({ name: 'train-a', instanceType: h!.fid, region: h!.region, limitPriceCents: 2000, quantity: 2, sshKeys: [key], startupScript: script });
      expect(a.status).toBe('Open');
      expect(a.instances).toEqual([]);
      const running = await until('two running instances', async () => {
        const l = await c.instances({ bidFids: [a.fid] });
        return l.length === 2 && l.every((i) => i.status === 'STATUS_RUNNING') ? l : undefined;
      });
      const ips = running.map((i) => i.private_ip!);
      expect(new Set(ips).size).toBe(2);
      for (const i of running) {
        expect(i.private_ip).toMatch(/^127\.\d+\.\d+\.\d+$/);
        const root = machines.rootOf(i.fid);
        const started = await until('the startup script', () => existsSync(join(root, 'home/started.txt')) && existsSync(join(root, 'home/sleep.pid')) && readFileSync(join(root, 'home/started.txt'), 'utf8'));
        const host = i.name.toLowerCase();
        expect(started).toBe(`host=${host} ip=${i.private_ip} pwd=${join(root, 'home')}\n`);
        const r = ssh(i.ssh_destination!, 'hostname; pwd; cat started.txt');
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe(`${host}\n${join(root, 'home')}\nhost=${host} ip=${i.private_ip} pwd=${join(root, 'home')}\n`);
      }
      const pids = running.map((i) => Number(readFileSync(join(machines.rootOf(i.fid), 'home/sleep.pid'), 'utf8')));
      expect(pids.every(alive)).toBe(true);
      // billed at the spot price: the minimum, as nobody lost
      const ledger = await c.instancePricingHistory({ bidFid: a.fid });
      expect(ledger.instances.map((x) => x.events[0]!.price_cents)).toEqual([800, 800]);

      // outbid: a one-instance bid at $30 takes a machine; train-a needs both, so it is preempted
      const b = await c.createBid({ name: 'train-b', instanceType: h!.fid, region: h!.region, limitPriceCents: 3000, quantity: 1, sshKeys: [key] });
      await until('the preemption', async () => (await c.getBid(a.fid)).status === 'Preempting');
      const preempting = await c.instances({ bidFids: [a.fid] });
      expect(preempting.map((i) => i.status)).toEqual(['STATUS_PREEMPTING', 'STATUS_PREEMPTING']);
      for (const i of preempting) {
        const signal = readFileSync(join(machines.rootOf(i.fid), SIGNAL_FILE), 'utf8');
        expect(signal).toMatch(/^instance_status: STATUS_PREEMPTING\nbid_status: Preempting\nend_time: '\d{4}-.*Z'\n$/);
        expect((await c.instanceStatus(i.fid)).end_time).toBe(/end_time: '(.*)'/.exec(signal)![1]);
      }
      // the notice runs: the processes live on
      expect(pids.every(alive)).toBe(true);
      expect((await c.currentPrice(h!.fid, h!.region)).spot_price_cents).toBe(2000);
      await until('the end of the notice', async () => (await c.getBid(a.fid)).status === 'Open');
      expect((await c.instances({ bidFids: [a.fid] })).map((i) => i.status)).toEqual(['STATUS_PREEMPTED', 'STATUS_PREEMPTED']);
      await until('the processes to die', () => pids.every((p) => !alive(p)));
      expect(ssh(`${ips[0]}:${running[0]!.ssh_destination!.split(':')[1] ?? '22'}`, 'true').status).not.toBe(0);
      expect((await c.getBid(b.fid)).status).toBe('Allocated');

      // b leaves: train-a wins again, the same instances on the same disks; the startup script ran once only
      await c.deleteBid(b.fid);
      const back = await until('train-a running again', async () => {
        const l = await c.instances({ bidFids: [a.fid] });
        return l.every((i) => i.status === 'STATUS_RUNNING') ? l : undefined;
      });
      expect(back.map((i) => i.fid).sort()).toEqual(running.map((i) => i.fid).sort());
      for (const i of back) {
        expect(existsSync(join(machines.rootOf(i.fid), SIGNAL_FILE))).toBe(false);
        expect(readFileSync(join(machines.rootOf(i.fid), 'home/started.txt'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
        expect(ssh(i.ssh_destination!, 'hostname').stdout).toBe(`${i.name.toLowerCase()}\n`);
      }
      expect((await c.bidHistory(a.fid)).events.map((e) => e.event_type)).toEqual(['Placed', 'Allocated', 'Preempted', 'Allocated']);

      // deleting the bid terminates its instances: an ssh session's processes die too
      const sessionPid = Number(ssh(back[0]!.ssh_destination!, 'nohup sleep 600 >/dev/null 2>&1 & echo $!').stdout.trim());
      expect(alive(sessionPid)).toBe(true);
      await c.deleteBid(a.fid);
      const gone = await c.getBid(a.fid);
      expect(gone.status).toBe('Terminated');
      expect(gone.deactivated_at).toMatch(/Z$/);
      expect((await c.instances({ bidFids: [a.fid] })).map((i) => i.status)).toEqual(['STATUS_TERMINATED', 'STATUS_TERMINATED']);
      await until('the ssh session\'s process to die', () => !alive(sessionPid));
      // the ledger closed
      const final = await c.instancePricingHistory({ bidFid: a.fid });
      expect(final.instances.every((x) => x.events.every((e) => e.end_time !== null))).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('a slow start, a relocation and STATUS_ERROR on demand', async () => {
    const c = client();
    try {
      const [h] = await c.resolveInstanceType(A100);
      const key = (await c.sshKeys()).find((k) => k.name === 'mine')!.fid;
      const admin = (body: unknown) => fetch(`${server.url}/_emulator/faults`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
      expect((await admin(['kind=slow-start,type=a100-80gb.sxm.1x,rate=1,count=1,delay=1s'])).status).toBe(201);
      const t0 = Date.now();
      const bid = await c.createBid({ name: 'faulty', instanceType: h!.fid, region: h!.region, limitPriceCents: 100, quantity: 1, sshKeys: [key] });
      const [first] = await until('running', async () => {
        const l = await c.instances({ bidFids: [bid.fid], statuses: ['STATUS_RUNNING'] });
        return l.length === 1 ? l : undefined;
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);

      expect((await admin({ kind: 'relocate', instanceType: A100, rate: 1, count: 1, delayMs: 400 })).status).toBe(201);
      await until('relocating', async () => (await c.bidStatus(bid.fid)).status === 'Relocating');
      expect(readFileSync(join(machines.rootOf(first!.fid), SIGNAL_FILE), 'utf8')).toMatch(/^instance_status: STATUS_RELOCATING\n/);
      const moved = await until('back from relocation', async () => {
        const [i] = await c.instances({ bidFids: [bid.fid] });
        return i?.status === 'STATUS_RUNNING' ? i : undefined;
      });
      // other hardware: another address
      expect(moved.private_ip).not.toBe(first!.private_ip);
      expect(ssh(moved.ssh_destination!, 'hostname -i').stdout).toBe(`${moved.private_ip}\n`);

      expect((await admin('kind=error,type=a100-80gb.sxm.1x,rate=1,count=1')).status).toBe(201);
      await until('STATUS_ERROR', async () => (await c.instanceStatus(first!.fid)).status === 'STATUS_ERROR');
      const bad = await fetch(`${server.url}/_emulator/faults`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '"kind=melt"' });
      expect(bad.status).toBe(400);
      await fetch(`${server.url}/_emulator/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}` } });
      await c.deleteBid(bid.fid);
    } finally {
      await c.close();
    }
  });
});

describe('faults', () => {
  it('with 429s, 500s, 502s and hangs every operation completes and no bid is created twice', async () => {
    const c = client();
    try {
      const [h] = await c.resolveInstanceType(H100, 'eu-central1-a');
      const key = (await c.sshKeys()).find((k) => k.name === 'mine')!.fid;
      const rules = [
        { kind: '429', path: '/v2/spot/bids', method: 'GET', rate: 1, count: 2, retryAfter: 1 },
        { kind: '500', path: '/v2/spot/bids', method: 'POST', rate: 1, count: 1, phase: 'after' },
        { kind: '502', path: '/v2/spot/bids', method: 'POST', rate: 1, count: 1 },
        { kind: 'hang', path: '/v2/spot/bids', method: 'POST', rate: 1, count: 1, phase: 'after' },
        { kind: '500', path: '/v2/spot/bids', method: 'POST', rate: 1, count: 1, phase: 'before' },
        { kind: '429', path: '/v2/spot/bids', method: 'POST', rate: 1, count: 1, retryAfter: 1 },
        { kind: '500', path: '/v2/spot/bids/{bid_fid}', rate: 0.3, count: 4 },
        { kind: 'hang', path: '/v2/instances', method: 'GET', rate: 1, count: 1 },
        { kind: '502', path: '/v2/**', method: 'GET', rate: 0.1, count: 5 },
      ] as const;
      for (const r of rules) server.faults.add({ ...r });
      const names = ['ft-0', 'ft-1', 'ft-2', 'ft-3', 'ft-4', 'ft-5'];
      const bids = [];
      for (const name of names) bids.push(await c.createBid({ name, instanceType: h!.fid, region: h!.region, limitPriceCents: 900, quantity: 1, sshKeys: [key] }));
      expect(bids.map((b) => b.name)).toEqual(names);
      expect((await c.listBids({ status: 'Open' })).length + (await c.listBids({ status: 'Allocated' })).length).toBeGreaterThanOrEqual(names.length);
      for (const b of bids) {
        expect((await c.getBid(b.fid)).name).toBe(b.name);
        await c.updateBid(b.fid, { limitPriceCents: 950 });
      }
      await c.instances({ bidFids: bids.map((b) => b.fid) });
      for (const b of bids) await c.deleteBid(b.fid);
      // every fault struck, and each name is one bid on the server
      const hits = server.faults.list();
      expect(hits.map((x) => x.hits).slice(0, 6)).toEqual([2, 1, 1, 1, 1, 1]);
      expect(hits[7]!.hits).toBe(1);
      for (const name of names) {
        const same = [...server.market.bids.values()].filter((b) => b.name === name);
        expect(same, name).toHaveLength(1);
        expect(same[0]!.status).toBe('Terminated');
      }
      expect(captured.some((l) => /looking for bid ft-\d before sending it again/.test(l))).toBe(true);
      expect(captured.some((l) => /GET \/v2\/spot\/bids: 429; retrying in 1\.0 s/.test(l))).toBe(true);
      server.faults.clear();
    } finally {
      await c.close();
    }
  });
});

describe('flow emulator and flow pricing', () => {
  it('the emulator prints what to export; flow pricing reads the market through it, in a table and as JSON', async () => {
    const emu = spawn(join(ROOT, 'bin', 'flow'), ['emulator', '--port', '0', '--capacity', `${H100}=3@us-central1-a,2xa100=2@us-central1-b`, '--tick', '50ms', '--notice', '2s',
      '--state-dir', join(dir, 'emu'), '--seed', '5', '--fault', 'kind=502,path=/v2/spot/availability,rate=1,count=1'], { env: { ...process.env, FLOW_STATE_DIR: join(dir, 'state') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    emu.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    emu.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    try {
      await until('the emulator', () => out.includes('MITHRIL_PROJECT='), 15_000);
      const env: Record<string, string> = { PATH: process.env.PATH!, HOME: dir, FLOW_STATE_DIR: join(dir, 'state') };
      for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
      expect(env.MITHRIL_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(env.MITHRIL_API_KEY).toMatch(/^fkey_\w{16}$/);
      expect(env.MITHRIL_PROJECT).toBe('default');
      const run = (args: string[], extra: Record<string, string> = {}) => {
        const r = spawnSync(join(ROOT, 'bin', 'flow'), ['pricing', ...args], { env: { ...env, ...extra, MITHRIL_API_KEY: extra.MITHRIL_API_KEY ?? KEY }, encoding: 'utf8', timeout: 30_000 });
        captured.push(r.stdout, r.stderr);
        return r;
      };
      // the emulator's own key: this run's output is searched for our key, set as the emulator's key would be
      const table = spawnSync(join(ROOT, 'bin', 'flow'), ['pricing'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(table.stderr).toBe('');
      expect(table.stdout).toBe([
        'INSTANCE TYPE     REGION          SPOT  PER GPU   LAST  LOWEST WINNING  AVAILABLE  CAPACITY',
        'a100-80gb.sxm.2x  us-central1-b  $1.00    $0.50  $1.00               -          2         2',
        'h100-80gb.sxm.8x  us-central1-a  $8.00    $1.00  $8.00               -          3         3',
        '',
      ].join('\n'));
      const json = spawnSync(join(ROOT, 'bin', 'flow'), ['pricing', '--json', '--instance-type', '8xh100'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(JSON.parse(json.stdout)).toEqual([{
        instance_type: H100, instance_type_fid: expect.stringMatching(/^it_/), region: 'us-central1-a', spot_price: '$8.00', spot_price_cents: 800,
        last_price: '$8.00', last_price_cents: 800, lowest_allocated_price_cents: null, minimum_price_cents: 800, available_capacity: 3, total_capacity: 3, num_gpus: 8,
      }]);
      // our key is not the emulator's: 401, one line, no key in it
      const refused = run([]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^flow: error: mithril: GET \/v2\/(instance-types|spot\/availability): 401 Invalid API key \(check MITHRIL_API_KEY\)\n$/);
      const wrong = run([], { MITHRIL_API_KEY: WRONG_KEY });
      expect(wrong.stderr).toMatch(/401 Invalid API key/);
      const nowhere = run([], { MITHRIL_API_URL: 'http://127.0.0.1:1' });
      expect(nowhere.status).toBe(1);
      expect(nowhere.stderr).toMatch(/^flow: error: mithril: GET \/v2\/(instance-types|spot\/availability): ECONNREFUSED .* \(after 5 attempts\)\n$/);
      const unknown = spawnSync(join(ROOT, 'bin', 'flow'), ['pricing', '--region', 'mars-1'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(unknown.stderr).toBe('flow: error: no spot market in region mars-1\n');
      expect(unknown.status).toBe(1);
      const nokey = spawnSync(join(ROOT, 'bin', 'flow'), ['pricing'], { env: { PATH: env.PATH!, HOME: dir }, encoding: 'utf8' });
      expect(nokey.stderr).toBe('flow: error: no Mithril API key: set MITHRIL_API_KEY (or api_key in ~/.flow/config.yaml)\n');
      expect(nokey.status).toBe(1);
      const badopt = spawnSync(join(ROOT, 'bin', 'flow'), ['emulator', '--capacity', 'z100=1@us-central1-a'], { env, encoding: 'utf8' });
      expect(badopt.status).toBe(2);
      expect(badopt.stderr).toMatch(/^flow: error: unknown instance type z100 \(known: /);
    } finally {
      emu.kill('SIGTERM');
      await until('the emulator to stop', () => emu.exitCode !== null, 10_000);
    }
    expect(emu.exitCode).toBe(0);
    expect(err).toContain('flow emulator: stopped (SIGTERM)');
    captured.push(err);
  }, 60_000);
});

describe('the wire and the key', () => {
  it('every request our client sent, and every answer, matches the OpenAPI document', () => {
    const api = exchanges.filter((x) => !x.path.startsWith('/_emulator/'));
    // the requests our client sent (the test's own deliberately bad ones come from fetch)
    const ours = api.filter((x) => String(x.requestHeaders['user-agent']).startsWith('flow-slurm/'));
    expect(ours.length).toBeGreaterThan(300);
    const problems = [...ours.flatMap(checkRequest), ...api.flatMap(checkResponse)];
    expect(problems).toEqual([]);
    // what was exercised
    const used = new Set(api.map((x) => `${x.method} ${templateOf(x.path)}`));
    for (const op of ['GET /v2/me', 'GET /v2/projects', 'GET /v2/instance-types', 'GET /v2/spot/availability', 'GET /v2/pricing/current', 'GET /v2/pricing/history',
      'POST /v2/spot/bids', 'GET /v2/spot/bids', 'GET /v2/spot/bids/{bid_fid}', 'PATCH /v2/spot/bids/{bid_fid}', 'DELETE /v2/spot/bids/{bid_fid}',
      'GET /v2/spot/bids/{bid_fid}/status', 'GET /v2/spot/bids/{bid_fid}/history', 'GET /v2/instances', 'GET /v2/instances/{instance_fid}/status',
      'GET /v2/instances/status/history', 'GET /v2/instances/pricing/history', 'GET /v2/ssh-keys', 'POST /v2/ssh-keys']) {
      expect(used, op).toContain(op);
    }
    for (const status of [200, 201, 204, 400, 401, 404, 422, 429, 500, 502]) expect(api.map((x) => x.status), String(status)).toContain(status);
  });

  it('the API key appears in nothing the tests captured', () => {
    const traffic = exchanges.map((x) => JSON.stringify({ ...x }));
    expect(exchanges.every((x) => x.requestHeaders.authorization === undefined)).toBe(true);
    const everything = [...captured, ...traffic].join('\n');
    expect(captured.length).toBeGreaterThan(50);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(WRONG_KEY);
    // what would show the key if it leaked: the client itself, inspected and serialized
    const c = client();
    expect(inspect(c, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify({ key: new Secret(KEY) })).toBe('{"key":"[redacted]"}');
    void c.close();
  });
});
