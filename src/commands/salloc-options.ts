/**
 * salloc's front end: its command line and SALLOC_* variables through the
 * shared option table (salloc's entries of it), with Slurm's precedence
 * (command line over environment), then salloc's own checks and defaults
 * (src/salloc/opt.c _opt_verify). Pure: argv and environment in, options or
 * salloc's exact error out.
 */
import type { OptionFailure } from '../options/kinds.js';
import type { JobRequest } from '../options/request.js';
import {
  applyEnvironment, applyParsed, emptyResolution, failureLines, firstInfoOption, parseArgv, validateSources,
  type OptionSource, type Resolution,
} from '../options/resolve.js';
import { sallocEnvTable } from '../options/salloc-env.js';
import { SLURM_VERSION } from '../submit/parse.js';
import { SALLOC_HELP, SALLOC_USAGE } from './salloc-help.js';

export type SallocParse =
  | { kind: 'info'; stdout: string }
  | { kind: 'error'; stderr: string[]; exit: number }
  | { kind: 'ok'; options: SallocOptions };

export interface SallocOptions {
  resolution: Resolution;
  request: JobRequest;
  /** the command and its arguments; empty: the user's login shell (none with --no-shell) */
  command: string[];
  /** the job name when none is given: `interactive`, or `no-shell` */
  defaultName: string;
  /** -I: 1 = now or never, N = wait at most N seconds */
  immediate?: number;
  quiet: boolean;
  /** salloc's exit code for its own failures (SLURM_EXIT_ERROR, default 1) */
  errorExit: number;
  /** -I's exit code when the resources are busy (SLURM_EXIT_IMMEDIATE, default 1) */
  immediateExit: number;
}

const CMD = 'salloc';
const error = (failure: OptionFailure): SallocParse => ({ kind: 'error', stderr: failureLines(CMD, failure), exit: failure.exit });

/** SLURM_EXIT_ERROR / SLURM_EXIT_IMMEDIATE: a non-zero integer replaces the default exit code 1. */
function exitCode(value: string | undefined): number {
  const n = value === undefined ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(n) && n !== 0 ? n : 1;
}

export function parseSalloc(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now: Date): SallocParse {
  const cli = parseArgv(argv, CMD);
  const info = firstInfoOption(cli.options);
  if (info === 'help') return { kind: 'info', stdout: SALLOC_HELP };
  if (info === 'usage') return { kind: 'info', stdout: SALLOC_USAGE };
  // the Debian build names its package in the version line
  if (info === 'version') return { kind: 'info', stdout: `slurm-wlm ${SLURM_VERSION}\n` };
  if (!cli.ok) return error(cli.failure);

  const r = emptyResolution();
  const envFailure = applyEnvironment(r, env, now, sallocEnvTable());
  if (envFailure) return error(envFailure);
  const cliFailure = applyParsed(r, cli.options, (o): OptionSource => ({ from: 'command-line', index: o.index }), now);
  if (cliFailure) return error(cliFailure);
  const conflict = validateSources(r, CMD);
  if (conflict) return error(conflict);

  const q = r.request;
  if (q.quiet && (q.verbose ?? 0) > 0) return { kind: 'error', stderr: [`${CMD}: error: don't specify both --verbose (-v) and --quiet (-Q)`], exit: 1 };
  const errorExit = exitCode(env.SLURM_EXIT_ERROR);
  if (q.x11 !== undefined) {
    const why = env.DISPLAY ? 'X11 forwarding (--x11) is not supported by flow-slurm yet' : 'No DISPLAY variable set, cannot setup x11 forwarding.';
    return { kind: 'error', stderr: [`${CMD}: error: ${why}`], exit: env.DISPLAY ? errorExit : 255 };
  }
  if (q.nodes && q.nodes.max > 0 && q.nodes.min > q.nodes.max) {
    return { kind: 'error', stderr: [`${CMD}: error: invalid number of nodes (-N ${q.nodes.min}-${q.nodes.max})`], exit: errorExit };
  }
  const immediate = q.immediate === undefined ? undefined : q.immediate === '' ? 1 : Number.parseInt(q.immediate, 10) || 0;
  return {
    kind: 'ok',
    options: {
      resolution: r, request: q, command: argv.slice(cli.operandIndex),
      defaultName: q.noShell ? 'no-shell' : 'interactive',
      immediate: immediate !== undefined && immediate > 0 ? immediate : undefined,
      quiet: q.quiet === true, errorExit, immediateExit: exitCode(env.SLURM_EXIT_IMMEDIATE),
    },
  };
}
