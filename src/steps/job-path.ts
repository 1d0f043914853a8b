/**
 * A job's PATH. Slurm gives a job (and each task of its steps) the
 * submitter's PATH, unchanged (fixtures/oracle/run/env-path). Ours is the same
 * whenever `srun` on that PATH is ours. When it is not (the submitter called
 * our commands by their path, and `srun` on PATH is another Slurm's, or there
 * is none), our bin/ goes first: srun, scontrol, squeue... inside the job must
 * reach this cluster, not another one.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The `srun` that `PATH` finds from `cwd` (as execvp looks: empty entries are the current directory). */
function whichSrun(path: string, cwd: string): string | undefined {
  for (const dir of path.split(':')) {
    const candidate = resolve(cwd, dir === '' ? '.' : dir, 'srun');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether `srun` found on `path` is the one in `binDir` (through links, as `npm link` makes them). */
export function srunIsOurs(path: string, binDir: string, cwd: string): boolean {
  const found = whichSrun(path, cwd);
  if (found === undefined) return false;
  try {
    return realpathSync(found) === realpathSync(join(binDir, 'srun'));
  } catch {
    return false;
  }
}

/** The PATH a job gets: the submitter's (`path`), or our bin/ and it when srun on it is not ours (`ours`). */
export function jobPath(path: string | undefined, binDir: string, ours: (path: string) => boolean): string {
  if (path === undefined) return `${binDir}:/usr/bin:/bin`;
  return ours(path) ? path : `${binDir}:${path}`;
}
