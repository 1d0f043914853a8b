import { describe, expect, it } from 'vitest';
import * as V from '../../../src/job/values/index.js';
import type { Result } from '../../../src/job/values/index.js';

// Nothing may throw on any input: 2,000 random and mutated strings per kind (fixed seed), every call
// returns a well-formed Result, and whatever a success gives is fed to the display functions too.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

const ODD = ['\0', '\n', '\t', '\v', ' ', '\u00e9', '\ud83d', '\ude00', '\ud83d\ude00', '\uffff', '%', '\\', '[', ']', ',', ':', '-', '+', '?', '@', '_', '*', "'", '"', '='];

function strings(seed: number, pieces: string[], valid: string[], n = 2000): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      let s = '';
      const k = Math.floor(rnd() * 8);
      for (let j = 0; j < k; j++) s += rnd() < 0.8 ? pick(pieces) : pick(ODD);
      out.push(s);
    } else {
      // mutate a valid value: replace, insert or delete a few characters
      let s = pick(valid);
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (s.length + 1));
        const op = rnd();
        const c = rnd() < 0.5 ? pick(ODD) : pick(pieces);
        s = op < 0.33 ? s.slice(0, at) + c + s.slice(at + 1) : op < 0.66 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      out.push(s);
    }
  }
  return out;
}

function wellFormed<T>(r: Result<T>, text: string): void {
  expect(typeof r).toBe('object');
  if (r.ok) return;
  expect(typeof r.error.message).toBe('string');
  expect(Number.isInteger(r.error.column)).toBe(true);
  expect(r.error.column).toBeGreaterThanOrEqual(1);
  expect(r.error.column, text).toBeLessThanOrEqual(text.length + 2);
}

const NUM = ['0', '1', '2', '5', '9', '10', '23', '59', '60', '99', '100', '1024', '65535', '65536', '4294967295', '99999999999', '99999999999999999999999'];
const now = new Date(2026, 10, 28, 17, 23, 19);
const ctx: V.PatternContext = { jobId: 7, jobName: 'j', user: 'u', nodeName: 'n1', nodeIndex: 0, taskId: 0 };

const kinds: [string, string[], string[], (s: string) => void][] = [
  ['time', [...NUM, '-', ':', 'infinite', 'UNLIMITED', 'x', '.'], ['1-02:30:00', '90', 'infinite', '-1'], (s) => {
    const r = V.parseTimeLimit(s);
    wellFormed(r, s);
    if (r.ok) expect(typeof V.formatTimeLimit(r.value)).toBe('string');
  }],
  ['memory', [...NUM, 'K', 'm', 'G', 't', 'B', 'b', '-', '+', '.', ' '], ['4G', '1536', '1025K', '300MB'], (s) => {
    const r = V.parseMemory(s);
    wellFormed(r, s);
    if (r.ok) expect(typeof V.formatMemory(r.value)).toBe('string');
  }],
  ['date', [...NUM, 'now', 'today', 'tomorrow', 'noon', 'fika', 'teatime', 'midnight', 'T', ':', '/', '.', '-', '+', 'am', 'PM', 'hours', 'days', 'weeks', 'uts', '2030-01-20', '12/25'], ['now+1hour', '2030-01-20T10:30:15', '12/25-10:30', '4:00pm', 'uts1234567'], (s) => {
    const r = V.parseDateTime(s, now);
    if (!r.ok) expect(r.error.message === 'no date or time given' || r.error.message.startsWith('Invalid time specification (pos=')).toBe(true);
    if (r.ok) expect(typeof V.formatIsoLocal(r.value)).toBe('string');
  }],
  ['array', [...NUM, '-', ':', ',', '%', '[', ']', ' ', '+'], ['0-15:4', '1,3,5-9:2%2', '1-100%10', '[1-5]'], (s) => {
    const r = V.parseArray(s);
    wellFormed(r, s);
    if (r.ok && V.validateArray(r.value, 100001).ok && r.value.ranges.length > 0) {
      expect(typeof V.formatArrayIndexSet(r.value)).toBe('string');
      expect(V.arrayTaskCount(r.value)).toBeGreaterThan(0);
      V.arrayStep(r.value);
    }
  }],
  ['dependency', [...NUM, 'afterok', 'afterany', 'after', 'singleton', 'expand', ':', ',', '?', '+', '_', '*', '[', ']', '-'], ['afterok:20:21,afterany:23', 'after:7+5?singleton', 'afterok:9_[1-3]+2'], (s) => {
    const r = V.parseDependency(s, { maxArraySize: 100001 });
    wellFormed(r, s);
    if (r.ok) expect(typeof V.formatDependency(r.value, () => 'unfulfilled')).toBe('string');
  }],
  ['hostlist', [...NUM.slice(0, 12), 'n', 'gpu', 'rack', '[', ']', '-', ',', ' ', 'x', '+', '[1-3]', '[01-04]', '[0-999]'], ['gpu[1-4]', 'rack[1-2]-node[001-004]', 'n1,n3,n[5-7]'], (s) => {
    const r = V.expandHostlist(s);
    wellFormed(r, s);
    if (r.ok) {
      expect(typeof V.compressHostlist(r.value)).toBe('string');
      expect(typeof V.compressHostlistSorted(r.value)).toBe('string');
    }
    wellFormed(V.compressHostlistExpression(s, { sorted: true }), s);
  }],
  ['gres', [...NUM, 'gpu', 'gres', 'h100', ':', ',', 'k', 'kb', 'x', 'none'], ['gpu:h100:2', 'gpu:2,gpu:1', 'gres:gpu'], (s) => {
    const r = V.parseGres(s);
    wellFormed(r, s);
    if (r.ok) expect(typeof V.formatGresTres(r.value)).toBe('string');
    const g = V.parseGpus(s);
    wellFormed(g, s);
    if (g.ok) expect(typeof V.formatGpusTres(g.value)).toBe('string');
  }],
  ['export', ['ALL', 'NONE', 'FOO', 'BAR=1', ',', "'", '"', '=', 'SLURM_X'], ['ALL,FOO=1', 'NONE', 'A="x,y",B'], (s) => {
    const r = V.parseExport(s);
    wellFormed(r, s);
    if (r.ok) expect(typeof V.applyExport(r.value, { FOO: 'f', SLURM_X: 'x' }).env).toBe('object');
  }],
  ['signal', [...NUM, 'USR1', 'SIG', 'B', 'R', ':', '@', 'KILL', ' '], ['B:USR1@60', 'R:10', 'SIGTERM'], (s) => {
    wellFormed(V.parseSignal(s), s);
    wellFormed(V.parseSignal(s, { command: 'srun' }), s);
    wellFormed(V.signalNumber(s), s);
  }],
  ['pattern', [...NUM, '%', '%%', 'a', 'A', 'j', 'J', 'x', 'N', 'q', '\\', '/', '.out', '-'], ['slurm-%A_%a.out', 'out-%4j-%x.log', 'a\\%j'], (s) => {
    wellFormed(V.parseFilenamePattern(s), s);
    expect(typeof V.expandFilenamePattern(s, ctx)).toBe('string');
    expect(typeof V.expandPatternForScontrol(s, { ...ctx, workDir: '/w' })).toBe('string');
  }],
];

describe('fuzz: nothing throws', () => {
  it.each(kinds.map((k, i) => [k[0], i] as const))('%s', (_name, i) => {
    const [, pieces, valid, check] = kinds[i]!;
    for (const s of strings(1000 + i, pieces, valid)) check(s);
  });
});
