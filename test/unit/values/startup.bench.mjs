#!/usr/bin/env node
// Start-up cost of the value grammars, measured the way production runs them: grammar/values bundled
// with esbuild (Chevrotain's single-file build), then fresh `node` processes that import the bundle and
// time building each kind's lexer and parser and its first parse. Not a test (timings are noisy on a
// shared VM): prints medians over fresh processes.
//
//   node test/unit/values/startup.bench.mjs [--runs 10] [--dir grammar/values [--dir other/copy ...]]
//
// Several --dir (other copies of grammar/values, e.g. an older version) are measured in the same
// interleaved runs. Each must have index.ts (the public API), lexer.ts exporting tokenize(mode, text)
// and parsers/index.ts exporting valueParser(mode).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;
const dirs = process.argv.flatMap((a, i) => (a === '--dir' ? [resolve(root, process.argv[i + 1])] : []));
if (dirs.length === 0) dirs.push(join(root, 'grammar/values'));

const out = mkdtempSync(join(tmpdir(), 'values-startup-'));
const bundles = [];
for (const [i, dir] of dirs.entries()) {
  const outfile = join(out, `values-${i}.mjs`);
  await build({
    stdin: {
      contents: [
        `export * from ${JSON.stringify(join(dir, 'index.ts'))};`,
        `export { tokenize } from ${JSON.stringify(join(dir, 'lexer.ts'))};`,
        `export { valueParser } from ${JSON.stringify(join(dir, 'parsers/index.ts'))};`,
        // sbatch splits its #SBATCH lines (another Chevrotain grammar) before it parses any value
        `export { splitDirective } from ${JSON.stringify(join(root, 'grammar/directives/index.ts'))};`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    alias: { chevrotain: join(root, 'node_modules/chevrotain/lib/chevrotain.mjs') },
  });
  bundles.push(outfile);
}

// One value per kind, as a job script would give it, and the lexer mode / parser it needs.
const SAMPLES = {
  time: ['time', 'timeLimitSyntax("1-02:30:00")'],
  memory: ['memory', 'memorySyntax("64G")'],
  cnum: ['cnum', 'cnumSyntax("1700000000")'],
  date: ['date', 'dateSyntax("2030-01-20T10:30:15")'],
  array: ['array', 'arraySyntax("0-99%10")'],
  dependency: ['dependency', 'dependencySyntax("afterok:1234:1235,afterany:1236")'],
  hostlist: ['hostlist', 'hostlistSyntax("gpu[1-4],cpu[01-10]")'],
  gres: ['gres', 'gresSyntax("gpu:h100:2")'],
  export: ['export', 'exportSyntax("ALL,OMP_NUM_THREADS=8")'],
  signal: ['signal', 'signalSyntax("B:USR1@60", true)'],
  pattern: ['fname', 'patternSyntax("logs/%x-%A_%a.out")'],
};
const TYPICAL = ['time', 'memory', 'gres', 'pattern', 'hostlist'];

const q = JSON.stringify;
/** Build the kind's lexer, then its parser, then parse (all timed); `prefix` runs first, untimed. */
const kindCase = (name, prefix = '') => {
  const [mode, call] = SAMPLES[name];
  return `${prefix}
let a = ms(); V.tokenize(${q(mode)}, ''); const lexer = ms() - a;
a = ms(); V.valueParser(${q(mode)}); const parser = ms() - a;
a = ms(); check(V.${call}, ${q(name)}); const first = ms() - a;
a = ms(); V.${call}; const again = ms() - a;
out({ lexer, parser, build: lexer + parser, first, total: lexer + parser + first, again });`;
};
/** First calls of the typical kinds, construction included. */
const typicalCase = (prefix = '') => `${prefix}
const t = {}; const a0 = ms();
${TYPICAL.map((n) => `{ const a = ms(); check(V.${SAMPLES[n][1]}, ${q(n)}); t[${q(n)}] = ms() - a; }`).join('\n')}
t.total = ms() - a0; out(t);`;

const cases = { import: 'out({ import: tImport });' };
for (const name of Object.keys(SAMPLES)) {
  // 1. the first kind a process uses: it also pays for Chevrotain's own cold start (its code runs, and
  //    is compiled, for the first time)
  cases[`alone:${name}`] = kindCase(name);
  // 2. the same kind after another one (signal, or time for signal): its own cost
  const warm = name === 'signal' ? 'time' : 'signal';
  cases[`second:${name}`] = kindCase(name, `check(V.${SAMPLES[warm][1]}, 'warm-up');`);
}
// 3. a typical job script's kinds, in a fresh process, and as in sbatch (after grammar/directives)
cases.typical = typicalCase();
cases.sbatch = typicalCase(`check(V.splitDirective('--time=1:00 --mem=4G'), 'directive');`);
// 4. every kind
cases.all = `const a0 = ms();\n${Object.values(SAMPLES).map(([, c]) => `check(V.${c}, 'all');`).join('\n')}\nout({ total: ms() - a0 });`;

function fresh(bundle, body) {
  const code = `const ms = () => performance.now(); const t0 = ms(); const V = await import(${q(bundle)}); const tImport = ms() - t0;
const check = (r, what) => { if (!r || (r.ok === false && !('pos' in r))) throw new Error(what + ': ' + JSON.stringify(r)); return r; };
const out = (o) => console.log(JSON.stringify(o));
${body}`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// runs × cases × dirs, interleaved so that machine load hits every variant alike
const samples = dirs.map(() => Object.fromEntries(Object.keys(cases).map((k) => [k, []])));
for (let r = 0; r < runs; r++) {
  for (const [k, body] of Object.entries(cases)) for (const [i, bundle] of bundles.entries()) samples[i][k].push(fresh(bundle, body));
}
rmSync(out, { recursive: true, force: true });
const med = samples.map((byCase) =>
  Object.fromEntries(Object.entries(byCase).map(([k, rows]) => [k, Object.fromEntries(Object.keys(rows[0]).map((f) => [f, median(rows.map((row) => row[f]))]))])),
);

const f = (x) => x.toFixed(2).padStart(6);
console.log(`grammar/values start-up: node ${process.version}, medians of ${runs} fresh processes per figure, ms`);
for (const [i, dir] of dirs.entries()) {
  const m = med[i];
  console.log(`\n== ${relative(root, dir) || '.'}   (import of the bundle, Chevrotain included: ${m.import.import.toFixed(2)})`);
  console.log('               first kind in the process:               after another kind:');
  console.log('kind            lexer parser  parse  total  again       lexer parser  parse  total');
  for (const name of Object.keys(SAMPLES)) {
    const a = m[`alone:${name}`];
    const s = m[`second:${name}`];
    console.log(`${name.padEnd(12)} ${f(a.lexer)} ${f(a.parser)} ${f(a.first)} ${f(a.total)} ${f(a.again)}      ${f(s.lexer)} ${f(s.parser)} ${f(s.first)} ${f(s.total)}`);
  }
  const parts = (t) => TYPICAL.map((n) => `${n} ${t[n].toFixed(2)}`).join(', ');
  console.log(`${TYPICAL.join('+')}, first parses incl. construction, fresh process: ${f(m.typical.total)}  (${parts(m.typical)})`);
  console.log(`  the same after grammar/directives split one #SBATCH line, as in sbatch: ${f(m.sbatch.total)}  (${parts(m.sbatch)})`);
  console.log(`all ${Object.keys(SAMPLES).length} kinds, first parses incl. construction, fresh process: ${f(m.all.total)}`);
}
