/**
 * Job state names as Slurm's job_state_num() reads them: the long name or
 * the compact code, in any case (`pending`, `PD`, `ca`).
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
