/**
 * The still-pending tasks of a job array, as the controller keeps them: a few
 * index ranges, never one entry per task (an array can have 100,000 tasks).
 * Stored as canonical text (`0-99,120-998:2`) that reads back without the
 * grammar, because squeue and the scheduler read it on every pass.
 */
import { arrayIndices, formatArrayIndexSet, parseArray, type ArraySpec } from './values/index.js';

/** Indices start, start + step, ... up to last (inclusive). */
export interface TaskRange {
  start: number;
  last: number;
  step: number;
}

const lastOf = (start: number, end: number, step: number) => start + Math.floor((end - start) / step) * step;

/** Ascending, disjoint ranges from a parsed --array. */
export function tasksOf(spec: ArraySpec): TaskRange[] {
  const ranges = spec.ranges.map((r) => ({ start: r.start, last: lastOf(r.start, r.end, r.step), step: r.step }))
    .sort((a, b) => a.start - b.start);
  const disjoint = ranges.every((r, i) => i === 0 || r.start > ranges[i - 1]!.last);
  return disjoint ? ranges : runsOf(arrayIndices(spec));
}

/** Ascending indices as runs of consecutive numbers. */
function runsOf(indices: Iterable<number>): TaskRange[] {
  const out: TaskRange[] = [];
  for (const i of indices) {
    const prev = out[out.length - 1];
    if (prev && prev.step === 1 && prev.last === i - 1) prev.last = i;
    else out.push({ start: i, last: i, step: 1 });
  }
  return out;
}

/** The pending tasks of a freshly submitted array (its --array text, already validated at submit). */
export function submittedTasks(arraySpec: string): string {
  const p = parseArray(arraySpec);
  return p.ok ? tasksText(tasksOf(p.value)) : '';
}

export function tasksText(ranges: readonly TaskRange[]): string {
  return ranges.map((r) => (r.start === r.last ? `${r.start}` : r.step === 1 ? `${r.start}-${r.last}` : `${r.start}-${r.last}:${r.step}`)).join(',');
}

export function parseTasks(text: string): TaskRange[] {
  if (text === '') return [];
  return text.split(',').map((piece) => {
    const [range, step] = piece.split(':');
    const [a, b] = range!.split('-');
    return { start: Number(a), last: Number(b ?? a), step: Number(step ?? 1) };
  });
}

export function taskCount(ranges: readonly TaskRange[]): number {
  return ranges.reduce((n, r) => n + (r.last - r.start) / r.step + 1, 0);
}

export function* taskIndices(ranges: readonly TaskRange[]): Generator<number, void, undefined> {
  for (const r of ranges) for (let i = r.start; i <= r.last; i += r.step) yield i;
}

export function hasTask(ranges: readonly TaskRange[], index: number): boolean {
  return ranges.some((r) => index >= r.start && index <= r.last && (index - r.start) % r.step === 0);
}

/** The ranges without the given indices. */
export function withoutTasks(ranges: readonly TaskRange[], drop: ReadonlySet<number>): TaskRange[] {
  const out: TaskRange[] = [];
  for (const r of ranges) {
    let start = r.start;
    const cuts = [...drop].filter((i) => i >= r.start && i <= r.last && (i - r.start) % r.step === 0).sort((a, b) => a - b);
    for (const cut of cuts) {
      if (cut > start) out.push({ start, last: cut - r.step, step: r.step });
      start = cut + r.step;
    }
    if (start <= r.last) out.push({ start, last: r.last, step: r.step });
  }
  return out.map((r) => (r.start === r.last ? { ...r, step: 1 } : r));
}

/** The index set as squeue `%i`/`%K` and scontrol `ArrayTaskId=` show pending tasks (`5-99%10`). */
export function formatTasks(ranges: readonly TaskRange[], throttle: number): string {
  return formatArrayIndexSet({ ranges: ranges.map((r) => ({ start: r.start, end: r.last, step: r.step, stepGiven: r.step !== 1 })), throttle });
}
