/**
 * Job states: their names as Slurm's job_state_num() reads them (the long
 * name or the compact code, in any case: `pending`, `PD`, `ca`), and every
 * set of states the commands, the controller and the formats go by.
 */

/** Every job state by long name and compact code, in Slurm's order. */
export const JOB_STATES: readonly (readonly [string, string])[] = [
  ['PENDING', 'PD'], ['RUNNING', 'R'], ['SUSPENDED', 'S'], ['COMPLETED', 'CD'], ['CANCELLED', 'CA'], ['FAILED', 'F'],
  ['TIMEOUT', 'TO'], ['NODE_FAIL', 'NF'], ['PREEMPTED', 'PR'], ['BOOT_FAIL', 'BF'], ['DEADLINE', 'DL'], ['OUT_OF_MEMORY', 'OOM'],
  ['COMPLETING', 'CG'], ['CONFIGURING', 'CF'], ['RESIZING', 'RS'], ['REQUEUED', 'RQ'], ['REQUEUE_FED', 'RF'],
  ['REQUEUE_HOLD', 'RH'], ['SPECIAL_EXIT', 'SE'], ['STOPPED', 'ST'], ['REVOKED', 'RV'], ['RESV_DEL_HOLD', 'RD'],
  ['SIGNALING', 'SI'], ['STAGE_OUT', 'SO'],
];

/** The long name of a state given by either name; undefined when it is none. */
export function jobStateNum(text: string): string | undefined {
  const up = text.toUpperCase();
  return JOB_STATES.find(([long, short]) => long === up || short === up)?.[0];
}

export type JobStateName =
  | 'PENDING' | 'CONFIGURING' | 'RUNNING' | 'COMPLETING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMEOUT'
  | 'NODE_FAIL' | 'OUT_OF_MEMORY' | 'DEADLINE' | 'PREEMPTED' | 'BOOT_FAIL' | 'SUSPENDED'
  // held after `scontrol requeuehold State=SpecialExit` (pending again once released)
  | 'SPECIAL_EXIT';

/** Waiting to run: PENDING, or held SPECIAL_EXIT after `scontrol requeuehold State=SpecialExit` (Slurm shows both as pending jobs). */
export const isPendingState = (state: string): boolean => state === 'PENDING' || state === 'SPECIAL_EXIT';

/** Ended: the state no longer changes (unless the job is requeued). */
export const FINAL_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'DEADLINE', 'PREEMPTED', 'BOOT_FAIL']);

/** Its run goes on: sacct counts its time up to now. */
export const RUNNING_STATES: ReadonlySet<string> = new Set(['RUNNING', 'SUSPENDED']);

/** Holding its allocation: its nodes powering up, running, suspended, or ending (sacct shows its steps as still going). */
export const ALLOCATED_STATES: ReadonlySet<string> = new Set(['CONFIGURING', 'RUNNING', 'SUSPENDED', 'COMPLETING']);

/** Ended from outside the batch script: its batch step shows CANCELLED. */
export const ENDED_FROM_OUTSIDE: ReadonlySet<string> = new Set(['CANCELLED', 'TIMEOUT', 'PREEMPTED', 'REQUEUED', 'DEADLINE', 'NODE_FAIL', 'BOOT_FAIL']);

/** A run over, as slurmdbd's state-time window reads it: the final states, and a run requeued, resized or revoked. */
export const RUN_OVER_STATES: ReadonlySet<string> = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE',
  'OUT_OF_MEMORY', 'REQUEUED', 'RESIZING', 'REVOKED']);

/** What scancel acts on (a COMPLETING job is being cancelled already). */
export const CANCELLABLE_STATES: ReadonlySet<string> = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'SUSPENDED']);

/** What squeue lists without -t (SPECIAL_EXIT: a job requeued and held that way waits, and squeue lists it). */
export const SQUEUE_DEFAULT_STATES: ReadonlySet<string> = new Set(['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETING', 'CONFIGURING', 'STAGE_OUT', 'SPECIAL_EXIT']);

/**
 * The state a job shows: a CONFIGURING job whose bid waits at a spot auction
 * (its reason `BidOpen,...`) shows PENDING. The listing include of the Lua
 * scripts (flow_shown) applies the same rule to squeue's and sacct's lines.
 */
export function shownState(state: string, reason: string): string {
  return state === 'CONFIGURING' && reason.startsWith('BidOpen,') ? 'PENDING' : state;
}
