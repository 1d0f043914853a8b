import { describe, expect, it } from 'vitest';
import { formatTasks, hasTask, parseTasks, taskCount, taskIndices, tasksOf, tasksText, withoutTasks } from '../../../src/job/array-tasks.js';
import { formatArrayIndexSet, parseArray } from '../../../src/job/values/index.js';

const tasks = (spec: string) => {
  const p = parseArray(spec);
  if (!p.ok) throw new Error(spec);
  return tasksOf(p.value);
};

describe('pending array tasks', () => {
  it('keeps disjoint ranges as ranges, in order', () => {
    expect(tasksText(tasks('10-20,0-8:2'))).toBe('0-8:2,10-20');
    expect(taskCount(tasks('0-99999'))).toBe(100000);
    expect(tasksText(tasks('0-15:4'))).toBe('0-12:4');
  });

  it('merges overlapping ranges into runs', () => {
    expect(tasksText(tasks('1-5,3-7,9'))).toBe('1-7,9');
  });

  it('reads its own text back', () => {
    for (const spec of ['0-8:2,10-20', '7', '0-99999', '1,3,5-9']) expect(tasksText(parseTasks(tasksText(tasks(spec))))).toBe(tasksText(tasks(spec)));
    expect(parseTasks('')).toEqual([]);
  });

  it('lists indices ascending and answers membership', () => {
    const t = tasks('0-8:4,10-11');
    expect([...taskIndices(t)]).toEqual([0, 4, 8, 10, 11]);
    expect(hasTask(t, 4)).toBe(true);
    expect(hasTask(t, 5)).toBe(false);
  });

  it('drops started or cancelled tasks without listing the rest', () => {
    const t = tasks('0-99999');
    expect(tasksText(withoutTasks(t, new Set([0, 1, 2])))).toBe('3-99999');
    expect(tasksText(withoutTasks(t, new Set([50])))).toBe('0-49,51-99999');
    expect(tasksText(withoutTasks(tasks('0-20:5'), new Set([5, 20])))).toBe('0,10-15:5');
    expect(withoutTasks(tasks('3'), new Set([3]))).toEqual([]);
  });

  it('shows pending tasks the way squeue does', () => {
    expect(formatTasks(tasks('5-99'), 10)).toBe('5-99%10');
    expect(formatTasks(tasks('0-998:2'), 0)).toBe('0-998:2');
    expect(formatTasks(withoutTasks(tasks('1-5'), new Set([1, 4])), 0)).toBe('2-3,5');
  });

  it('formats like formatArrayIndexSet does for the same index sets', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let k = 0; k < 2000; k++) {
      const picked = new Set<number>();
      const pieces = 1 + rand(4);
      for (let p = 0; p < pieces; p++) {
        const start = rand(60);
        const step = 1 + rand(4);
        const n = rand(20);
        for (let i = 0; i < n; i++) picked.add(start + i * step);
      }
      const drop = new Set([...picked].filter(() => rand(5) === 0));
      const spec = [...picked].filter((i) => !drop.has(i)).sort((a, b) => a - b);
      if (spec.length === 0) continue;
      const p = parseArray(spec.join(','));
      if (!p.ok) throw new Error(spec.join(','));
      const ranges = withoutTasks(tasksOf(p.value), new Set());
      expect(formatTasks(ranges, 3)).toBe(formatArrayIndexSet({ ...p.value, throttle: 3 }));
    }
    expect(formatTasks(tasks('0-99999'), 0)).toBe('0-99999');
  });
});
