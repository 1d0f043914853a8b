/** Where read-only commands get jobs from: the controller's Redis (tests may give a fixed list). */
import type { Cluster } from '../cluster/load.js';
import type { StoredJob } from '../controller/state.js';

export interface JobSource {
  /** jobs visible to squeue/scontrol; with ids, only those (and their array tasks) */
  load(cluster: Cluster, ids?: number[]): Promise<StoredJob[]>;
  close(): Promise<void>;
}
