/**
 * How srun reports the end of its tasks (fixtures/oracle/srun exit-codes,
 * kill-on-bad-exit, label): one `srun: error:` line per node and outcome,
 * tasks with the same outcome grouped (`tasks 0-2`, `tasks 0,2`); its exit
 * code is the highest task exit code, 128+N for a task killed by signal N.
 * Pure.
 */
import { indexRanges } from '../job/index-ranges.js';

export interface TaskEnd {
  procid: number;
  node: string;
  /** exit status, or null when killed by a signal */
  code: number | null;
  signal: number | null;
}

/** strsignal() wording, as srun prints it. */
const SIGNAL_TEXT: Record<number, string> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted', 7: 'Bus error',
  8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault', 12: 'User defined signal 2',
  13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 24: 'CPU time limit exceeded', 25: 'File size limit exceeded',
};

export function outcomeText(end: TaskEnd): string | undefined {
  if (end.signal !== null) return SIGNAL_TEXT[end.signal] ?? `Signal ${end.signal}`;
  return end.code ? `Exited with exit code ${end.code}` : undefined;
}

/** `0-2`, `0,2,5-7`: Slurm's bit_fmt of task ids. */
function taskRanges(ids: readonly number[]): string {
  return indexRanges([...ids].sort((a, b) => a - b));
}

const tasksWord = (ids: readonly number[]) => `task${ids.length === 1 ? '' : 's'} ${taskRanges(ids)}`;

/** The error lines for ends reported together: one per node and outcome, in order of first appearance. */
export function exitLines(ends: readonly TaskEnd[]): string[] {
  const groups = new Map<string, { node: string; text: string; ids: number[] }>();
  for (const e of ends) {
    const text = outcomeText(e);
    if (text === undefined) continue;
    const key = `${e.node}\u0000${text}`;
    const g = groups.get(key) ?? { node: e.node, text, ids: [] };
    g.ids.push(e.procid);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => `srun: error: ${g.node}: ${tasksWord(g.ids)}: ${g.text}`);
}

/** srun's exit code for its tasks' ends. */
export function exitCodeOf(ends: readonly TaskEnd[]): number {
  return ends.reduce((max, e) => Math.max(max, e.signal !== null ? 128 + e.signal : e.code ?? 0), 0);
}

/** The status lines srun prints for -W and a first Ctrl-C: `srun: StepId=N.S tasks 0,2: running`. */
export function statusLines(stepId: string, ntasks: number, ends: ReadonlyMap<number, TaskEnd>, notStarted: ReadonlySet<number> = new Set()): string[] {
  const failed: number[] = [];
  const running: number[] = [];
  const abnormal: number[] = [];
  const exited: number[] = [];
  for (let id = 0; id < ntasks; id++) {
    const e = ends.get(id);
    if (notStarted.has(id)) failed.push(id);
    else if (!e) running.push(id);
    else if (e.signal !== null || e.code) abnormal.push(id);
    else exited.push(id);
  }
  const out: string[] = [];
  const add = (ids: number[], what: string) => {
    if (ids.length) out.push(`srun: ${stepId} ${tasksWord(ids)}: ${what}`);
  };
  add(failed, 'failed to start');
  add(running, 'running');
  add(abnormal, 'exited abnormally');
  add(exited, 'exited');
  return out;
}
