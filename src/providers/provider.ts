/**
 * What a provider does for the controller: start the batch step of a job on
 * the nodes the scheduler gave it, signal it, and tell whether its supervisor
 * is still there. `local` runs on this machine; `mithril` (later) buys machines.
 */
import type { Cluster } from '../cluster/load.js';
import type { StepRecord, StoredJob } from '../controller/state.js';

export interface LaunchContext {
  cluster: Cluster;
  /** directory for this cluster's spool (scripts, end records) */
  spoolDir: string;
  script: Buffer;
  /** the environment sbatch was called with */
  submitEnv: Record<string, string>;
  controllerHost: string;
}

export type LaunchResult = { ok: true; supervisor: string } | { ok: false; reason: string; message: string };

export type SignalTarget = 'all' | 'batch' | 'steps';

export interface Provider {
  start(job: StoredJob, ctx: LaunchContext): Promise<LaunchResult>;
  /**
   * Send a signal: to all the job's processes, only the batch shell, or only
   * its steps (everything but the batch shell), as scancel -f / -b / plain -s.
   */
  signal(job: StoredJob, signal: NodeJS.Signals | number, target: SignalTarget, spoolDir: string): void;
  /**
   * End the job's current run (scancel, scontrol requeue; the controller has
   * recorded why): as slurmstepd, its supervisor says so in the job's output,
   * then sends every process of the job SIGCONT and SIGTERM.
   */
  end(job: StoredJob): void;
  /** scancel N.S: tell the step's srun that its step was cancelled (srun ends its tasks). */
  cancelStep(step: StepRecord): void;
  /** false when the supervisor of the job's current run is gone */
  alive(job: StoredJob): boolean;
}
