/**
 * Whether a task's program can be executed, checked the way slurmstepd's
 * execve would find it (with the task's own PATH, not srun's), so a missing
 * or non-executable program fails like it does on Slurm: exit code = errno
 * (2, 13) and `slurmstepd-<node>: error: execve(): <path>: <strerror>`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export type ProgramCheck = { ok: true } | { ok: false; code: number; message: string };

const ENOENT = { code: 2, text: 'No such file or directory' };
const EACCES = { code: 13, text: 'Permission denied' };

function executable(path: string): 'yes' | 'missing' | 'denied' {
  try {
    if (!statSync(path).isFile()) return 'denied';
  } catch {
    return 'missing';
  }
  try {
    accessSync(path, constants.X_OK);
    return 'yes';
  } catch {
    return 'denied';
  }
}

export function checkProgram(program: string, pathVar: string | undefined, cwd: string): ProgramCheck {
  const fail = (e: { code: number; text: string }, shown: string): ProgramCheck => ({ ok: false, code: e.code, message: `execve(): ${shown}: ${e.text}` });
  if (program.includes('/')) {
    const shown = isAbsolute(program) ? program : `${cwd}/${program}`;
    const r = executable(isAbsolute(program) ? program : join(cwd, program));
    return r === 'yes' ? { ok: true } : fail(r === 'missing' ? ENOENT : EACCES, shown);
  }
  let denied = false;
  for (const dir of (pathVar ?? '').split(':')) {
    if (pathVar === undefined) break;
    const r = executable(join(dir === '' ? cwd : isAbsolute(dir) ? dir : join(cwd, dir), program));
    if (r === 'yes') return { ok: true };
    if (r === 'denied') denied = true;
  }
  return fail(denied ? EACCES : ENOENT, program);
}
