// Output/input file name patterns (-o, -e, -i; srun's too): what slurmd opens, and what scontrol shows.
import { patternSyntax, scontrolPatternSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { ok } from '../../../grammar/values/result.js';
import type { PatternPart, Result } from '../../../grammar/values/index.js';
import { NO_VAL } from './cint.js';

export type { PatternPart, PatternCode } from '../../../grammar/values/index.js';

export interface PatternContext {
  jobId: number;
  /** for array tasks (the master id) */
  arrayJobId?: number;
  /** absent for non-array jobs (and pending array records): %a is then 4294967294 */
  arrayTaskId?: number;
  /** 'batch' for the batch script (the default) */
  stepId?: number | 'batch';
  jobName: string;
  user: string;
  nodeName: string;
  nodeIndex: number;
  taskId: number;
  /** relative patterns are relative to the job's working directory, when given */
  workDir?: string;
}

/** Default output patterns when -o is not given. */
export const defaultOutputPattern = (isArray: boolean): string => (isArray ? 'slurm-%A_%a.out' : 'slurm-%j.out');

/**
 * The pattern as slurmd reads it: `%%`, `%a %A %j %J %s %N %n %t %u %x`, a width `%4a` (capped at 10,
 * zero-padded, ignored by %N %u %x and by %s of the batch step). Unknown codes stay (`%q`); after a width
 * an unknown code loses its `%` and the width keeps only its last digit (`%5q` → `5q`, `d%5` → `d5`) –
 * what slurmd really writes. Any backslash turns substitution off and removes the escaping backslashes
 * (`e-\%j` → `e-%j`, `\\` → `\`): the result is then one text part. Never fails.
 */
export function parseFilenamePattern(text: string): Result<PatternPart[]> {
  const parsed = patternSyntax(text);
  if (!parsed.ok) return ok([{ kind: 'text', text }]);
  const { parts, escaped } = parsed.value;
  return ok(escaped !== null ? [{ kind: 'text', text: escaped }] : parts);
}

const pad = (n: number, width: number): string => {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
};

function relative(pattern: string, name: string, workDir: string | undefined): string {
  if (workDir === undefined || pattern.startsWith('/')) return name;
  return workDir.endsWith('/') ? workDir + name : `${workDir}/${name}`;
}

/**
 * The file name slurmd opens for `text` (`none`, any case, is /dev/null): e.g. `out-%A_%a-%j-%x-%4t.log`.
 * %a is 4294967294 for non-arrays, %A the job id then, %J `jobid.step` for numbered steps (just the
 * job id for the batch step), %s `batch` for the batch step, %N the node's host name.
 */
export function expandFilenamePattern(text: string, ctx: PatternContext): string {
  if (text.toLowerCase() === 'none') return '/dev/null';
  const parts = parseFilenamePattern(text);
  let out = '';
  for (const part of parts.ok ? parts.value : [{ kind: 'text' as const, text }]) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const w = part.width;
    const step = ctx.stepId ?? 'batch';
    switch (part.code) {
      case 'a': out += pad(ctx.arrayTaskId ?? NO_VAL, w); break;
      case 'A': out += pad(ctx.arrayTaskId === undefined ? ctx.jobId : ctx.arrayJobId ?? ctx.jobId, w); break;
      case 'j': out += pad(ctx.jobId, w); break;
      case 'J': out += pad(ctx.jobId, w) + (typeof step === 'number' ? `.${step}` : ''); break;
      case 's': out += typeof step === 'number' ? pad(step, w) : step; break;
      case 'N': out += ctx.nodeName; break;
      case 'n': out += pad(ctx.nodeIndex, w); break;
      case 't': out += pad(ctx.taskId, w); break;
      case 'u': out += ctx.user; break;
      case 'x': out += ctx.jobName; break;
    }
  }
  return relative(text, out, ctx.workDir);
}

/**
 * `StdOut=`/`StdErr=`/`StdIn=` as scontrol shows a job (pending or not): only `%A %a %j %u %x` are
 * replaced, without widths; `%%`, `%N`, `%t`, `%4a`, backslashes… stay as typed (`%%j` shows `%` + id);
 * relative patterns are shown under WorkDir; `none` (any case) is /dev/null.
 */
export function expandPatternForScontrol(text: string, ctx: PatternContext): string {
  if (text.toLowerCase() === 'none') return '/dev/null';
  const parts = scontrolPatternSyntax(text);
  let out = '';
  for (const part of parts.ok ? parts.value : [{ kind: 'text' as const, text }]) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    switch (part.code) {
      case 'A': out += String(ctx.arrayTaskId === undefined ? ctx.jobId : ctx.arrayJobId ?? ctx.jobId); break;
      case 'a': out += String(ctx.arrayTaskId ?? NO_VAL); break;
      case 'j': out += String(ctx.jobId); break;
      case 'u': out += ctx.user; break;
      case 'x': out += ctx.jobName; break;
    }
  }
  return relative(text, out, ctx.workDir);
}
