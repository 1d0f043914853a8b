/** Where read-only commands get jobs from: the controller's Redis (tests may give a fixed list). */
import type { Cluster } from '../cluster/load.js';
import type { StepRecord, StoredJob } from '../job/job-run.js';
import type { Listed } from '../format/squeue/fields.js';

export interface JobSource {
  /** jobs visible to squeue/scontrol; with ids, only those (and their array tasks) */
  load(cluster: Cluster, ids?: number[]): Promise<StoredJob[]>;
  /** the jobs' step records (squeue -s, scontrol show step) */
  steps(cluster: Cluster, ids: number[]): Promise<Map<number, StepRecord[]>>;
  close(): Promise<void>;
}

/** Listings (squeue): only the named hash fields of each job, fetched in one round trip. */
export interface ListSource {
  list(cluster: Cluster, fields: readonly string[], ids?: number[]): Promise<Listed[]>;
  close(): Promise<void>;
}
