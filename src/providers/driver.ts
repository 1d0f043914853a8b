/**
 * What the controller asks of a provider: a driver, shaped like Nomad's task
 * drivers. The controller decides (start this run, stop that one); the driver
 * does it its own way and reports what it sees. Everything provider-specific
 * (spool files, pids, markers, KillWait's SIGTERM-then-SIGKILL) stays behind
 * this interface, so a remote provider is one new folder.
 */
import type { Cluster } from '../cluster/load.js';
import type { StepRecord, StoredJob } from '../job/job-run.js';

/** One run of one job, as the controller names it to its driver. */
export interface RunRef {
  /** cluster, job id and run number: a second start of the same run is a no-op */
  name: string;
  jobId: number;
  run: number;
  /** what start() returned, stored with the job ('' until the run started); opaque to the controller */
  handle: string;
  /** the provider whose driver runs it (the job's placement) */
  provider: string;
  /** srun's or salloc's own allocation: its process stands for the job (no batch step to run) */
  interactive: boolean;
}

export function runName(cluster: string, jobId: number, run: number): string {
  return `${cluster}-${jobId}-${run}`;
}

export interface StartContext {
  cluster: Cluster;
  script: Buffer;
  /** the environment sbatch was called with */
  submitEnv: Record<string, string>;
  controllerHost: string;
  /** the controller asking (a start it began and died in is begun again by another) */
  controllerId: string;
  /** fault injection for the chaos tests: called at each step a crash must not break */
  checkpoint: (point: 'launch-claimed' | 'launch-spawned') => void;
}

export type StartResult = { ok: true; handle: string } | { ok: false; reason: string; message: string };

/** What a driver sees of a run. */
export type RunStatus =
  /** nothing was started for it, or its starter died before anything ran: start it again */
  | { kind: 'none' }
  /** being started (nodes powering up, a bid waiting for capacity); `waiting`: why it cannot start yet, as the job's reason */
  | { kind: 'configuring'; waiting?: string }
  /** `handle`: found running although the controller that started it did not record it */
  | { kind: 'running'; handle?: string }
  /** it ended and says how (ended() reports it too) */
  | { kind: 'ended' }
  /** gone without saying how it ended; timedOut: it was being ended for its time limit */
  | { kind: 'lost'; reason: 'preempted' | 'node_fail'; timedOut: boolean };

/** How a run ended. `signal`: what killed the batch script, 0 when it exited, undefined when unknown. */
export interface RunEnd {
  jobId: number;
  run: number;
  exit: number;
  signal?: number;
  timedOut: boolean;
  /** epoch seconds */
  end: number;
  /** ended by the driver for a limit of the provider's (`cost`: its --max-cost was reached) */
  limit?: 'cost';
}

/** Why a run is stopped: shown in its output, as slurmstepd does. */
export type StopWhy = { kind: 'cancel'; by: string } | { kind: 'requeue' };

export type SignalTarget = 'all' | 'batch' | 'steps';

/** At most `max` starts per `perMs` milliseconds: what a cloud API's rate limit (its 429s) asks for. */
export interface StartLimit {
  max: number;
  perMs: number;
}

export interface Driver {
  /** how fast starts may go to this provider (none: as fast as they come) */
  readonly startLimit?: StartLimit;
  /**
   * Its runs pass through CONFIGURING (nodes powering up, a bid waiting for
   * capacity): the job shows it from allocation until inspect() says running.
   */
  readonly configures?: boolean;
  /** Start the run; idempotent by run.name, and quick (a slow start reports `configuring`). */
  start(job: StoredJob, ref: RunRef, ctx: StartContext): Promise<StartResult>;
  inspect(ref: RunRef): Promise<RunStatus>;
  /** The event path: runs that ended since last asked (each until forget()). `owner`: who may report a job's end. */
  ended(owner: (jobId: number) => Promise<StoredJob | undefined>): Promise<RunEnd[]>;
  /** The run's end is recorded: drop what the driver kept of it. */
  forget(ref: RunRef): void;
  /**
   * End the run: asked again on every pass until it has ended, so it must be
   * idempotent; escalating after `graceSeconds` (KillWait) is the driver's business.
   */
  stop(ref: RunRef, why: StopWhy, graceSeconds: number): Promise<void>;
  /** scancel --signal: to all the run's processes, only the batch shell, or only its steps (-f / -b / plain). */
  signal(ref: RunRef, signal: number | NodeJS.Signals, target: SignalTarget): void;
  /** scancel N.S: tell the step's srun that its step was cancelled (srun ends its tasks). */
  cancelStep(step: StepRecord): void;
  /**
   * Call `wake` when a run may have ended (the controller also looks every second), with
   * `started` when a run began running (the controller then inspects its runs at once,
   * not at its next check); returns the unwatch.
   */
  watch(wake: (what?: { started?: boolean }) => void): () => void;
}
