/**
 * What the submitting commands need from the controller. The Redis client
 * implements it (src/client/); the interface keeps the commands free of Redis.
 */
import type { Cluster } from '../cluster/load.js';
import type { ClusterConfig } from '../cluster/slurm-conf.js';
import type { JobRecord } from '../job/job.js';
import type { ParsedSubmission } from '../submit/parse.js';

export type TestOnlyAnswer =
  | { ok: true; startTime: string; cpus: number; nodes: string; partition: string }
  | { ok: false; reason: string };

export interface Backend {
  nextJobId(cluster: ClusterConfig): Promise<number>;
  testOnly(cluster: Cluster, job: JobRecord): Promise<TestOnlyAnswer>;
  submit(cluster: Cluster, job: JobRecord, parsed: ParsedSubmission, ctx: { env: Readonly<Record<string, string | undefined>> }): Promise<void>;
  /** Where a job stands: its state (as shown), reason and what it paid (the `money` JSON, '' when none); undefined when unknown. */
  progress(cluster: Cluster, jobId: number): Promise<{ state: string; reason: string; money: string } | undefined>;
  /** sbatch --wait: block until the job ends; its exit code */
  waitForEnd(cluster: Cluster, jobId: number): Promise<number>;
  close(): Promise<void>;
}

export type BackendFactory = (cluster: Cluster, env: Readonly<Record<string, string | undefined>>) => Promise<Backend>;
