/**
 * The start queue (src/controller/worker.ts) on real Redis and BullMQ: a
 * second dispatch of the same run is a no-op, a start that throws is retried,
 * and a provider's start limit holds (what a cloud API's 429s ask for).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { LaunchQueue, type LaunchData } from '../../src/controller/worker.js';
import { REDIS_URL } from '../helpers/cluster.js';

const url = new URL(REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0), maxRetriesPerRequest: null };
const prefix = `flow:{q${process.pid}${Math.random().toString(36).slice(2, 8)}}`;
const queues: LaunchQueue[] = [];

afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('start queue', () => {
  it('holds a provider to its start limit, runs each run once, and retries a start that throws', async () => {
    const started: { run: string; at: number }[] = [];
    let failures = 0;
    const launch = async (d: LaunchData) => {
      if (d.jobId === 99 && failures < 2) {
        failures++;
        throw new Error('429 Too Many Requests');
      }
      started.push({ run: `${d.jobId}.${d.run}`, at: Date.now() });
    };
    const q = new LaunchQueue(connection, prefix, launch, { name: 'launch-limited', limit: { max: 2, perMs: 1000 } });
    queues.push(q);
    for (let id = 1; id <= 6; id++) await q.add({ jobId: id, run: 1 });
    await q.add({ jobId: 3, run: 1 }); // a second dispatch of a run: nothing more
    await q.add({ jobId: 99, run: 1 });
    for (const end = Date.now() + 20_000; started.length < 7 && Date.now() < end;) await sleep(50);
    expect(started.map((s) => s.run).sort()).toEqual(['1.1', '2.1', '3.1', '4.1', '5.1', '6.1', '99.1']);
    expect(failures).toBe(2);
    // 2 a second, in BullMQ's fixed windows: any second overlaps two windows (4 at most), and 7 starts
    // need four windows, so the last comes at least 2 s after the first (6 s unlimited would take ~0)
    for (const s of started) expect(started.filter((o) => o.at >= s.at && o.at < s.at + 1000).length).toBeLessThanOrEqual(4);
    const first = Math.min(...started.map((s) => s.at));
    expect(Math.max(...started.map((s) => s.at)) - first).toBeGreaterThanOrEqual(2000);
  }, 30_000);
});
