/**
 * salloc's front end against real salloc (fixtures/oracle/salloc): the
 * option errors it gives before asking for anything (exact stderr and exit
 * code), --help/--usage/--version, and what the options become.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSalloc } from '../../../src/commands/salloc-options.js';
import { FIXTURES } from '../../helpers/oracle.js';

interface Run { exit: number; stdout: string; stderr: string; jobs: unknown[] }
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, 'oracle', 'salloc', `${name}.json`), 'utf8')) as { commands: { cmd: string; runs: Run[] }[] };
const NOW = new Date('2026-06-01T12:00:00');
const argvOf = (cmd: string) => cmd.split(' ').slice(1);

describe('salloc options', () => {
  // the refusals salloc gives itself: no job asked for, no line of the allocation's
  const refused = load('bad-options').commands.filter((c) => c.runs[0]!.jobs.length === 0 && !/Job submit\/allocate failed|chdir/.test(c.runs[0]!.stderr));

  it.each(refused.map((c) => [c.cmd, c.runs[0]!] as const))('%s: salloc\'s message and exit code', (cmd, run) => {
    const r = parseSalloc(argvOf(cmd), {}, NOW);
    expect(r.kind === 'error' ? { exit: r.exit, stderr: r.stderr.map((l) => `${l}\n`).join('') } : r).toEqual({ exit: run.exit, stderr: run.stderr });
  });

  it.each(load('help').commands.map((c) => [c.cmd, c.runs[0]!] as const))('%s prints what salloc prints', (cmd, run) => {
    expect(parseSalloc(argvOf(cmd), {}, NOW)).toEqual({ kind: 'info', stdout: run.stdout });
  });

  it.each([
    [['-N1'], { command: [], defaultName: 'interactive', immediate: undefined }],
    [['--no-shell', '-N1'], { command: [], defaultName: 'no-shell', immediate: undefined }],
    [['-I', 'true'], { command: ['true'], defaultName: 'interactive', immediate: 1 }],
    [['--immediate=5', 'true'], { command: ['true'], defaultName: 'interactive', immediate: 5 }],
    // -K's value must be attached: `-K BOGUS` is -K and the command BOGUS (bad-options.json)
    [['-K', 'BOGUS', 'x'], { command: ['BOGUS', 'x'], defaultName: 'interactive', immediate: undefined }],
  ] as const)('%j: the command, the default job name, -I', (argv, want) => {
    const r = parseSalloc(argv, {}, NOW);
    expect(r.kind === 'ok' ? { command: r.options.command, defaultName: r.options.defaultName, immediate: r.options.immediate } : r).toEqual(want);
  });

  it('SALLOC_* variables, below the command line; -K signals; SLURM_EXIT_ERROR', () => {
    const r = parseSalloc(['-p', 'h100', '-K', 'true'], { SALLOC_PARTITION: 'a100', SALLOC_TIMELIMIT: '7', SALLOC_ACCOUNT: 'acct1', SLURM_EXIT_ERROR: '9' }, NOW);
    expect(r.kind === 'ok' && { ...r.options.request, errorExit: r.options.errorExit }).toMatchObject({ partition: 'h100', time: 7, account: 'acct1', killCommand: 15, errorExit: 9 });
    const k = parseSalloc(['--kill-command=USR1', 'true'], {}, NOW);
    expect(k.kind === 'ok' && k.options.request.killCommand).toBe(10);
    expect(parseSalloc(['--kill-command=NOPE', 'true'], {}, NOW)).toEqual({ kind: 'error', stderr: ['salloc: error: Invalid --kill-command specification'], exit: 255 });
  });
});
