// Errors are values: every public parse function returns a Result, never throws.

export interface ValueError {
  /** Slurm's own text where its parser prints one (e.g. `Invalid time specification (pos=4): now+1h`), else a human detail. */
  message: string;
  /** 1-based column in the value text where it went wrong. */
  column: number;
  /**
   * Who rejects it in real Slurm. Absent or `'client'`: the command itself (sbatch option errors exit 255 unless the
   * function says otherwise). `'controller'`: slurmctld refuses the submission, sbatch prints
   * `sbatch: error: Batch job submission failed: <message>` and exits 1.
   */
  side?: 'client' | 'controller';
  /** Lines real Slurm logs through error() before failing (the caller adds its `<prog>: error: ` prefix). */
  log?: string[];
  /** Real Slurm prints nothing from the parser for this failure (only the caller's `Invalid --x specification`). */
  silent?: true;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ValueError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(message: string, column: number, extra?: Omit<ValueError, 'message' | 'column'>): Result<T> {
  return { ok: false, error: extra ? { message, column, ...extra } : { message, column } };
}
