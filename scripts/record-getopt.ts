/**
 * Records fixtures/getopt/glibc.json: what glibc's own getopt_long (the C
 * library Slurm's commands run on) returns for many argument vectors over the
 * option tables of our commands (taken from src/, so the cases use the real
 * tables), hand-picked cases and seeded random ones. Run through
 * scripts/record-getopt.sh, which compiles scripts/getopt-oracle/getopt-oracle.c
 * and bundles this file. test/unit/options/getopt.test.ts replays every case on
 * our emulation (src/options/getopt.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { optstringLetters, type CommandLineSpec } from '../src/options/command-line.js';
import { SBATCH_COMMAND_LINE } from '../src/options/resolve.js';
import { SACCT_COMMAND_LINE } from '../src/commands/sacct-options.js';
import { SCANCEL_COMMAND_LINE } from '../src/commands/scancel-options.js';
import { SCONTROL_COMMAND_LINE } from '../src/commands/scontrol-options.js';
import { SINFO_COMMAND_LINE } from '../src/commands/sinfo-options.js';
import { SQUEUE_COMMAND_LINE } from '../src/commands/squeue-options.js';
import { rng } from '../test/helpers/rng.js';

const ROOT = process.env.FLOW_GETOPT_ROOT ?? process.cwd();
const ORACLE = process.env.FLOW_GETOPT_ORACLE ?? join(ROOT, 'node_modules', '.cache', 'flow-getopt', 'getopt-oracle');

export interface GetoptTableSpec {
  optstring: string;
  /** [name, arg, val]: val a short letter or an id of its own */
  long: (readonly [string, string, string])[];
}

interface GlibcResult {
  options: [string, string | null, number][];
  message: string;
  status: 'end' | 'error';
  operands: string[];
}

/** A command's table as the fixture keeps it: every long row with its val (a row without one is its own). */
function tableOf(spec: CommandLineSpec): GetoptTableSpec {
  return { optstring: spec.optstring, long: spec.long.map(([name, arg, val]) => [name, arg, val ?? name] as const) };
}

const TABLES: Record<string, GetoptTableSpec> = {
  squeue: tableOf(SQUEUE_COMMAND_LINE),
  scancel: tableOf(SCANCEL_COMMAND_LINE),
  sinfo: tableOf(SINFO_COMMAND_LINE),
  sacct: tableOf(SACCT_COMMAND_LINE),
  scontrol: tableOf(SCONTROL_COMMAND_LINE),
  sbatch: tableOf(SBATCH_COMMAND_LINE),
};

/** The harness's input: optstring, long options (val: the letter, or a number >= 256 per id), cases. */
function harnessInput(t: GetoptTableSpec, cases: string[][]): string {
  const ids = new Map<string, number>();
  const longs = t.long.map(([name, arg, val]) => {
    const code = val.length === 1 ? val : String(ids.get(val) ?? ids.set(val, 256 + ids.size).get(val)!);
    return `${name}=${{ none: 0, required: 1, optional: 2 }[arg]}=${code}`;
  });
  return [t.optstring, longs.join(' '), ...cases.map((c) => c.join('\x1f'))].join('\n') + '\n';
}

/** Turn the harness's vals back into the table's (a letter, or the id a number stands for). */
function valsBack(t: GetoptTableSpec): Map<string, string> {
  const ids = new Map<string, number>();
  for (const [, , val] of t.long) if (val.length > 1 && !ids.has(val)) ids.set(val, 256 + ids.size);
  return new Map([...ids].map(([val, n]) => [`#${n}`, val]));
}

function runGlibc(t: GetoptTableSpec, cases: string[][]): GlibcResult[] {
  const out = execFileSync(ORACLE, [], { input: harnessInput(t, cases), encoding: 'utf8', env: {} });
  const back = valsBack(t);
  return out.trim().split('\n').map((line) => {
    const r = JSON.parse(line) as GlibcResult;
    r.options = r.options.map(([val, arg, optind]) => [back.get(val) ?? val, arg, optind]);
    // the harness runs as `cmd`
    r.message = r.message.replace(/^cmd: /, '');
    return r;
  });
}

/** Words a user might type for this table: every option in its forms, values, operands, and broken ones. */
function vocabulary(t: GetoptTableSpec): string[] {
  const words = ['--', '-', 'x', 'job', '42', '-5', '--=', '---x', '-?', '-:', 'a=b'];
  for (const [letter] of optstringLetters(t.optstring)) words.push(`-${letter}`, `-${letter}7`, `-${letter}${letter}`);
  for (const [name] of t.long) {
    words.push(`--${name}`, `--${name}=v`, `--${name}=`, `--${name.slice(0, 1)}`, `--${name.slice(0, 3)}`, `--${name.slice(0, Math.max(1, name.length - 1))}`);
  }
  return words;
}

function randomCases(t: GetoptTableSpec, seed: number, count: number): string[][] {
  const next = rng(seed);
  const words = vocabulary(t);
  const letters = optstringLetters(t.optstring).map(([l]) => l);
  const cases: string[][] = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(next() * 7);
    const argv: string[] = [];
    for (let j = 0; j < n; j++) {
      const r = next();
      if (r < 0.15 && letters.length) {
        // a bundle of short letters
        let b = '-';
        for (let k = 0; k < 2 + Math.floor(next() * 3); k++) b += letters[Math.floor(next() * letters.length)];
        argv.push(b);
      } else {
        argv.push(words[Math.floor(next() * words.length)]!);
      }
    }
    cases.push(argv);
  }
  return cases;
}

/** Cases chosen by hand: the forms the issue names, for each table. */
const PICKED: Record<string, string[][]> = {
  squeue: [
    ['-j', '5', '-h'], ['-hl'], ['-hj5'], ['-j5', '-h'], ['--jobs', '5'], ['--jobs=5', '-h'], ['-h', '--', '-j', '5'], ['5', '-h', '6'],
    ['--no'], ['--noh'], ['--us'], ['--form', '%i'], ['--format=%i', 'x'], ['-o'], ['--format'], ['-o', '-h'], ['--sib'], ['--s'],
    ['--noheader=1'], ['', '-h'], ['-s', '5.0'], ['-s5.0'], ['--steps', '-h'], ['-'], ['--'], ['x', '--', '-h'], ['-y'], ['-hy'], ['--bogus=3'],
  ],
  scancel: [['5', '-v'], ['-v', '5', '--', '-6'], ['--sig=USR1', '5'], ['--si', '5'], ['-sUSR1', '5'], ['--jobname', 'x'], ['--me']],
  sinfo: [['-hN', 'x'], ['--summ'], ['--s'], ['-i'], ['-o%P', '--', '-N'], ['--Node', '--node'], ['--no']],
  sacct: [['--f'], ['-j'], ['-nj', '5'], ['5', '-n', '6'], ['--whole-hetjob', 'x'], ['--whole-hetjob=yes'], ['--help-f'], ['--help'], ['--he']],
  scontrol: [['show', 'jobid', '-dd', '42'], ['-dd', 'show', 'job', '42'], ['show', '-o', 'job', '--', '-d'], ['--d'], ['--de'], ['-ooo'], ['--u'], ['-u']],
  sbatch: [['-N2', 'job.sh', '-v'], ['--wrap', 'x', '--', '-y'], ['-t'], ['--ti=20'], ['--hold=1'], ['--time', '1', 'a', '-b']],
};

function main(): void {
  const out: { table: string; argv: string[]; env?: Record<string, string>; glibc: GlibcResult }[] = [];
  let seed = 9;
  for (const [name, t] of Object.entries(TABLES)) {
    const cases = [...(PICKED[name] ?? []), ...randomCases(t, seed++, 400)];
    runGlibc(t, cases).forEach((glibc, i) => out.push({ table: name, argv: cases[i]!, glibc }));
  }
  const version = execFileSync('ldd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const head = {
    source: `recorded from glibc's getopt_long (${version}) by scripts/record-getopt.sh on ${new Date().toISOString().slice(0, 19)}Z: scripts/getopt-oracle/getopt-oracle.c runs it over each case, stopping at the first '?' as Slurm's commands do; messages are glibc's with "cmd: " removed`,
    tables: TABLES,
  };
  mkdirSync(join(ROOT, 'fixtures', 'getopt'), { recursive: true });
  // one case a line
  const tables = Object.entries(head.tables).map(([name, t]) => `  ${JSON.stringify(name)}: ${JSON.stringify(t)}`).join(',\n');
  const cases = out.map((c) => `  ${JSON.stringify(c)}`).join(',\n');
  const text = `{\n "source": ${JSON.stringify(head.source)},\n "tables": {\n${tables}\n },\n "cases": [\n${cases}\n ]\n}\n`;
  writeFileSync(join(ROOT, 'fixtures', 'getopt', 'glibc.json'), text);
  process.stderr.write(`record-getopt: ${out.length} cases\n`);
}

main();
