/**
 * What a refused request is, in one place: the codes our Lua scripts answer
 * (negative replies), each named once, and what slurmctld answers to the same
 * request: its error number (slurm_errno.h) and text (slurm_strerror()). The
 * commands print `SlurmError.message` and exit with its number where Slurm's
 * command does.
 */

/** Slurm's errors that our requests can meet. */
export const SLURM_ERRORS = {
  ESLURM_ACCESS_DENIED: [2002, 'Access/permission denied'],
  ESLURM_USER_ID_MISSING: [2010, 'Invalid user id'],
  ESLURM_INVALID_JOB_ID: [2017, 'Invalid job id specified'],
  ESLURM_ALREADY_DONE: [2021, 'Job/step already completing or completed'],
  ESLURM_JOB_PENDING: [2024, 'Job is pending execution'],
  ESLURM_DISABLED: [2037, 'Requested operation is presently disabled'],
  ESLURM_JOB_NOT_PENDING: [2073, 'Job is no longer pending execution'],
} as const satisfies Record<string, readonly [number, string]>;

export type SlurmErrorName = keyof typeof SLURM_ERRORS;

export class SlurmError extends Error {
  readonly errno: number;
  constructor(readonly code: SlurmErrorName) {
    super(SLURM_ERRORS[code][1]);
    this.errno = SLURM_ERRORS[code][0];
  }

  /** The exit code of a command that exits with the error's number (scancel): its low byte. */
  get exitCode(): number {
    return this.errno & 0xff;
  }
}

/** The codes the scripts answer; each script documents which of them it can. */
export const SCRIPT_CODES = {
  /** the job is not the caller's (includes/owner.lua) */
  ACCESS_DENIED: -9,
  NO_SUCH_JOB: -1,
  /** hold, update: no longer pending; requeue, signal: still pending; step cancel: no such step running */
  WRONG_STATE: -2,
  /** requeue: --no-requeue; release: not held */
  NOT_ALLOWED: -3,
} as const;

type Request = 'cancel' | 'signal' | 'stepCancel' | 'hold' | 'release' | 'update' | 'requeue';

/** What slurmctld answers each request in each case (a case not listed is no error, or cannot happen). */
const ANSWERS: Record<Request, Partial<Record<number, SlurmErrorName>>> = {
  cancel: { [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_ACCESS_DENIED', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID' },
  signal: { [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_ACCESS_DENIED', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID', [SCRIPT_CODES.WRONG_STATE]: 'ESLURM_JOB_PENDING' },
  stepCancel: { [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_ACCESS_DENIED', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID', [SCRIPT_CODES.WRONG_STATE]: 'ESLURM_INVALID_JOB_ID' },
  // scontrol hold/release/update of another's job: slurmctld's answer is "Invalid user id"
  hold: { [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_USER_ID_MISSING', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID', [SCRIPT_CODES.WRONG_STATE]: 'ESLURM_JOB_NOT_PENDING' },
  release: { [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_USER_ID_MISSING', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID' },
  update: { [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_USER_ID_MISSING', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID', [SCRIPT_CODES.WRONG_STATE]: 'ESLURM_JOB_NOT_PENDING' },
  requeue: {
    [SCRIPT_CODES.ACCESS_DENIED]: 'ESLURM_ACCESS_DENIED', [SCRIPT_CODES.NO_SUCH_JOB]: 'ESLURM_INVALID_JOB_ID',
    [SCRIPT_CODES.WRONG_STATE]: 'ESLURM_JOB_PENDING', [SCRIPT_CODES.NOT_ALLOWED]: 'ESLURM_DISABLED',
  },
};

/** The error a script's reply to a request stands for; undefined when the reply is no error. */
export function refusal(request: Request, reply: number): SlurmError | undefined {
  const name = ANSWERS[request][reply];
  return name ? new SlurmError(name) : undefined;
}
