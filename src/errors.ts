/**
 * What a command prints when it refuses: exact stderr lines and Slurm's exit
 * code. Errors travel as values; only `src/main/` turns them into process exits.
 */
export class SlurmError {
  constructor(
    /** full stderr lines, exactly as Slurm prints them */
    readonly lines: string[],
    readonly exit: number,
  ) {}
}

/** `sbatch: error: <message>` for each message. */
export function slurmError(cmd: string, exit: number, ...messages: string[]): SlurmError {
  return new SlurmError(messages.map((m) => `${cmd}: error: ${m}`), exit);
}

/** Slurm's `exit(-1)` for a bad option value shows up as 255. */
export const EXIT_BAD_VALUE = 255;
/** Rejected submissions and script problems. */
export const EXIT_FAILURE = 1;
