/**
 * The only module that imports BullMQ. Dispatch of job launches goes through
 * a BullMQ queue: a launch survives a controller crash (it is in Redis and is
 * picked up again, or retried when the worker died mid-way), and its job id
 * (`launch-<job>-<run>`) makes a second dispatch of the same run a no-op.
 */
import { Queue, Worker, type ConnectionOptions } from 'bullmq';

export interface LaunchData {
  jobId: number;
  run: number;
}

export class LaunchQueue {
  private readonly queue: Queue<LaunchData>;
  private readonly worker: Worker<LaunchData>;

  constructor(connection: ConnectionOptions, prefix: string, launch: (data: LaunchData) => Promise<void>, concurrency = 16) {
    this.queue = new Queue<LaunchData>('launch', { connection, prefix });
    this.worker = new Worker<LaunchData>('launch', async (job) => launch(job.data), {
      connection,
      prefix,
      concurrency,
      // a launch takes milliseconds; a worker that stops renewing its lock for long has died
      lockDuration: 30_000,
      stalledInterval: 15_000,
    });
    this.worker.on('error', () => undefined);
  }

  async add(data: LaunchData): Promise<void> {
    await this.queue.add('launch', data, {
      jobId: `launch-${data.jobId}-${data.run}`,
      attempts: 3,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    });
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}
