/**
 * The only module that imports BullMQ. Dispatch of job launches goes through
 * a BullMQ queue, one per provider: a launch survives a controller crash (it
 * is in Redis and is picked up again, or retried with backoff when the worker
 * died mid-way), its job id (`launch-<job>-<run>`) makes a second dispatch of
 * the same run a no-op, and a provider's start limit is BullMQ's rate limiter.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { StartLimit } from '../providers/driver.js';

export interface LaunchData {
  jobId: number;
  run: number;
}

export class LaunchQueue {
  private readonly queue: Queue<LaunchData>;
  private readonly worker: Worker<LaunchData>;

  /** `name`: the queue's (the local provider's is `launch`, another's `launch-<provider>`) */
  constructor(connection: ConnectionOptions, prefix: string, launch: (data: LaunchData) => Promise<void>, opts: { name?: string; limit?: StartLimit; concurrency?: number } = {}) {
    const name = opts.name ?? 'launch';
    this.queue = new Queue<LaunchData>(name, { connection, prefix });
    this.worker = new Worker<LaunchData>(name, async (job) => launch(job.data), {
      connection,
      prefix,
      concurrency: opts.concurrency ?? 16,
      ...(opts.limit ? { limiter: { max: opts.limit.max, duration: opts.limit.perMs } } : {}),
      // a launch takes milliseconds; a worker that stops renewing its lock for long has died
      lockDuration: 30_000,
      stalledInterval: 15_000,
    });
    this.worker.on('error', () => undefined);
  }

  async add(data: LaunchData): Promise<void> {
    await this.queue.add('launch', data, {
      jobId: `launch-${data.jobId}-${data.run}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    });
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
