/**
 * The one getopt emulation (src/options/getopt.ts) against glibc's own
 * getopt_long: every case of fixtures/getopt/glibc.json (recorded by
 * scripts/record-getopt.sh over our commands' real tables, hand-picked and
 * seeded random argument vectors) must give the same options, values,
 * operands (in glibc's permuted order) and message. Then a fuzz test: no
 * argument vector makes it throw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getoptTable, optstringLetters, type CommandLineSpec, type LongRow } from '../../../src/options/command-line.js';
import { getopt } from '../../../src/options/getopt.js';
import { rng } from '../../helpers/rng.js';

interface Fixture {
  tables: Record<string, { optstring: string; long: [string, LongRow[1], string][] }>;
  cases: {
    table: string;
    argv: string[];
    glibc: { options: [string, string | null, number][]; message: string; status: 'end' | 'error'; operands: string[] };
  }[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'getopt', 'glibc.json'), 'utf8')) as Fixture;

/** A table whose ids are glibc's vals (each letter its own id), so results compare directly. */
function specOf(t: Fixture['tables'][string]): CommandLineSpec {
  const single = [...optstringLetters(t.optstring).map(([l]) => l), ...t.long.map(([, , v]) => v).filter((v) => v.length === 1)];
  const letters = Object.fromEntries(single.map((l) => [l, l]));
  return { command: 'cmd', optstring: t.optstring, long: t.long, letters, onError: { tryHelp: false, exit: 1 } };
}

const specs = Object.fromEntries(Object.entries(fixture.tables).map(([name, t]) => [name, specOf(t)]));

describe('getopt emulation = glibc getopt_long (fixtures/getopt/glibc.json)', () => {
  it('has cases for every table, both ends and errors', () => {
    expect(fixture.cases.length).toBeGreaterThan(2000);
    expect(fixture.cases.some((c) => c.glibc.status === 'error')).toBe(true);
    expect(fixture.cases.some((c) => c.glibc.operands.length > 0 && c.glibc.options.length > 0)).toBe(true);
  });

  for (const name of Object.keys(fixture.tables)) {
    it(`${name}: every recorded case`, () => {
      const table = getoptTable(specs[name]!);
      const mismatches: string[] = [];
      for (const c of fixture.cases.filter((x) => x.table === name)) {
        const r = getopt(c.argv, table);
        const ours = {
          options: r.options.map((o) => [o.id, o.value ?? null]),
          status: r.ok ? 'end' : 'error',
          message: r.ok ? '' : `${r.message}\n`,
          operands: r.ok ? r.operands : [],
        };
        const glibc = { options: c.glibc.options.map(([v, a]) => [v, a]), status: c.glibc.status, message: c.glibc.message, operands: c.glibc.operands };
        if (JSON.stringify(ours) !== JSON.stringify(glibc)) mismatches.push(`${JSON.stringify(c.argv)}\n  ours  ${JSON.stringify(ours)}\n  glibc ${JSON.stringify(glibc)}`);
      }
      expect(mismatches.slice(0, 5).join('\n')).toBe('');
    });
  }
});

describe('getopt emulation never throws', () => {
  const chars = ['-', '-', '=', 'a', 'h', 'j', 'o', 's', 'v', 'x', '5', ' ', '[', ':', '?', 'é', '\u0000'];
  it('on 20,000 random argument vectors over every table, in both orders, with a stop word', () => {
    const next = rng(4242);
    const names = Object.keys(specs);
    for (let i = 0; i < 20_000; i++) {
      const argv: string[] = [];
      for (let n = Math.floor(next() * 6); n > 0; n--) {
        let w = '';
        for (let k = Math.floor(next() * 8); k > 0; k--) w += chars[Math.floor(next() * chars.length)];
        argv.push(w);
      }
      const spec = specs[names[i % names.length]!]!;
      const table = getoptTable(spec);
      const settings = { posixlyCorrect: i % 3 === 0, stopAt: i % 5 === 0 ? (w: string) => w.startsWith('x') : undefined };
      const r = getopt(argv, table, settings);
      // every word is accounted for: an option (or its value), an operand, or `--`
      if (r.ok) expect(r.options.length + r.operands.length).toBeLessThanOrEqual(argv.length * 8);
      else expect(r.message.length).toBeGreaterThan(0);
    }
  });
});
