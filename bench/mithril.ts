/**
 * The fake Mithril market's speed: one auction tick over 1,000 bids (the
 * market's whole tick: auction, statuses, billing), and `flow emulator`
 * holding 1,000 open bids while it answers 200 list requests per second.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { clear } from '../src/providers/fake-mithril/auction.js';
import { Faults } from '../src/providers/fake-mithril/faults.js';
import { DEFAULT_MARKET, Market, type Machines } from '../src/providers/fake-mithril/market.js';
import { MithrilClient } from '../src/providers/mithril/client.js';
import { formatDollars } from '../src/providers/mithril/money.js';
import { Secret } from '../src/providers/mithril/secret.js';
import { rng } from '../src/random.js';
import { median } from './stats.js';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchKeyBenchKeyBenchKeyBenchKeyBenchKey000 bench';

/** A market of one pool (capacity 500) with 1,000 bids of 1 to 4 instances; ticks timed in-process. */
function auctionTick(): void {
  const clock = { t: 1_800_000_000_000 };
  const none: Machines = { boot: () => Promise.resolve(), signal: () => {}, halt: () => {} };
  const m = new Market({ ...DEFAULT_MARKET, pools: [{ typeName: 'h100-80gb.sxm.8x', region: 'us-central1-a', capacity: 500 }], subnet: '127.99', quota: 1e9, noticeMs: 5000, stageMs: 100 },
    none, new Faults(rng(1)), rng(1), () => clock.t);
  const project = m.projects[0]!.fid;
  const key = m.addSshKey(project, 'bench', KEY, false).fid;
  const pool = m.pools[0]!;
  const r = rng(42);
  for (let k = 0; k < 1000; k++) {
    m.createBid(m.user, {
      project, region: pool.region, instance_type: pool.typeFid, name: `b${k}`, limit_price: formatDollars(800 + Math.floor(r() * 4000)),
      instance_quantity: 1 + Math.floor(r() * 4), launch_specification: { volumes: [], ssh_keys: [key] },
    });
  }
  const bids = [...m.bids.values()];
  const times: number[] = [];
  for (let k = 0; k < 300; k++) {
    // the market moves: a tenth of the bids change their price between ticks
    for (let j = 0; j < 100; j++) bids[Math.floor(r() * bids.length)]!.limitCents = 800 + Math.floor(r() * 4000);
    clock.t += 100;
    const t0 = performance.now();
    m.tick();
    times.push(performance.now() - t0);
  }
  const steady = times.slice(50);
  const input = { capacity: 500, minimumCents: 800, bids: bids.map((b) => ({ id: b.fid, limitCents: b.limitCents, quantity: b.quantity, seq: b.seq })) };
  const pure: number[] = [];
  for (let k = 0; k < 300; k++) {
    const t0 = performance.now();
    clear(input);
    pure.push(performance.now() - t0);
  }
  console.log(`mithril auction tick over 1,000 bids (${m.instances.size} instances): median ${median(steady).toFixed(2)} ms, p99 ${quantile(steady, 0.99).toFixed(2)} ms, max ${Math.max(...steady).toFixed(2)} ms (target < 10 ms); the auction alone: median ${median(pure).toFixed(3)} ms`);
}

/** `flow emulator` as its own process with 1,000 open bids; list requests sent at 200/s for 10 s from here. */
async function listRate(root: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'flow-bench-emu-'));
  const emu = spawn(join(root, 'bin', 'flow'), ['emulator', '--port', '0', '--capacity', 'h100-80gb.sxm.8x=10@us-central1-a', '--tick', '100ms', '--quota', '100000', '--state-dir', dir],
    { env: { ...process.env, FLOW_STATE_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  emu.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    for (let waited = 0; !out.includes('MITHRIL_PROJECT='); waited += 50) {
      if (waited > 15_000) throw new Error('the emulator did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const env = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const client = new MithrilClient({ apiUrl: env.MITHRIL_API_URL!, key: new Secret(env.MITHRIL_API_KEY!), project: env.MITHRIL_PROJECT! });
    const [type] = await client.resolveInstanceType('h100-80gb.sxm.8x', 'us-central1-a');
    const sshKey = await client.createSshKey('bench', KEY);
    const r = rng(7);
    // 10 machines: at most 10 bids win, so 1,010 bids leave at least 1,000 Open
    for (let k = 0; k < 1010; k++) {
      await client.createBid({ name: `bench-${k}`, instanceType: type!.fid, region: type!.region, limitPriceCents: 800 + Math.floor(r() * 4000), quantity: 1 + Math.floor(r() * 3), sshKeys: [sshKey.fid] });
    }
    const open = (await client.listBids({ status: 'Open' })).length;
    const project = await client.projectFid();
    await client.close();

    const pool = new Pool(env.MITHRIL_API_URL!, { connections: 16 });
    const path = `/v2/spot/bids?project=${project}&limit=100`;
    const headers = { authorization: `Bearer ${env.MITHRIL_API_KEY}` };
    const latencies: number[] = [];
    let failed = 0;
    const rate = 200;
    const seconds = 10;
    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    for (let k = 0; k < rate * seconds; k++) {
      // open loop: each request leaves at its own time, whether or not the earlier ones were answered
      const due = t0 + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const start = performance.now();
      sends.push(pool.request({ method: 'GET', path, headers }).then(async (res) => {
        await res.body.text();
        if (res.statusCode !== 200) failed++;
        latencies.push(performance.now() - start);
      }, () => {
        failed++;
      }));
    }
    await Promise.all(sends);
    const elapsed = (performance.now() - t0) / 1000;
    await pool.close();
    console.log(`mithril fake server with ${open} open bids (of 1,010 placed): ${latencies.length} list requests (100 bids each) in ${elapsed.toFixed(1)} s = ${(latencies.length / elapsed).toFixed(0)}/s (asked ${rate}/s), ${failed} failed; latency p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
  } finally {
    emu.kill('SIGTERM');
    await new Promise((r) => emu.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function mithrilBench(root: string): Promise<void> {
  auctionTick();
  await listRate(root);
}
