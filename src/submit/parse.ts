/**
 * The sbatch front end: argv, environment and script in, resolved options out,
 * in sbatch's order of passes. A first getopt pass over the command line finds
 * --help/--version/--wrap and the script; then the `#SBATCH` words, the
 * `SBATCH_*` variables and the command line are applied in that order, so the
 * command line wins over the environment, which wins over the script.
 */
import { failureLines, applyEnvironment, applyParsed, emptyResolution, firstInfoOption, parseArgv, validateSources, type OptionSource, type Resolution } from '../options/resolve.js';
import type { OptionFailure } from '../options/kinds.js';
import { loadScript, type BatchScript, type ScriptSource } from '../script/read.js';
import { scanDirectives, type DirectiveWord } from '../script/scan.js';
import { parseFlowOptions, type FlowOptions } from './flow-options.js';
import { SBATCH_HELP as HELP, SBATCH_USAGE as USAGE } from './sbatch-help.js';

export const SLURM_VERSION = '22.05.8';

export interface SubmitInput {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now: Date;
  readStdin: () => Buffer;
  /** how the script a path names is opened (default: from this machine) */
  openScript?: ScriptSource['open'];
}

export interface ParsedSubmission {
  resolution: Resolution;
  script: BatchScript;
  flow: FlowOptions;
  /** stderr lines real sbatch prints even on success (the #SLURM warning) */
  warnings: string[];
}

export type ParseOutcome =
  | { kind: 'info'; stdout: string }
  | { kind: 'error'; stderr: string[]; exit: number }
  | { kind: 'ok'; submission: ParsedSubmission };

const CMD = 'sbatch';

const error = (failure: OptionFailure, warnings: string[] = []): ParseOutcome => ({
  kind: 'error', stderr: [...warnings, ...failureLines(CMD, failure)], exit: failure.exit,
});

export function parseSubmission(input: SubmitInput): ParseOutcome {
  // first pass: the command line alone
  const cli = parseArgv(input.argv, CMD);
  const info = firstInfoOption(cli.options);
  if (info === 'help') return { kind: 'info', stdout: HELP };
  if (info === 'usage') return { kind: 'info', stdout: USAGE };
  if (info === 'version') return { kind: 'info', stdout: `slurm ${SLURM_VERSION}\n` };
  if (!cli.ok) return error(cli.failure);
  const wrap = [...cli.options].reverse().find((o) => o.id === 'wrap')?.value;

  const loaded = loadScript({
    operands: input.argv.slice(cli.operandIndex),
    wrap,
    cwd: input.cwd,
    envPath: input.env.PATH,
    readStdin: input.readStdin,
    open: input.openScript,
  });
  if (!loaded.ok) return { kind: 'error', stderr: loaded.messages.map((m) => `${CMD}: error: ${m}`), exit: 1 };
  const script = loaded.script;

  const scan = scanDirectives(script.text);
  const warnings = scan.usedSlurmPrefix
    ? [`${CMD}: error: Change from #SLURM to #SBATCH in your script and verify the options are valid in sbatch`]
    : [];
  if (scan.error) {
    const e = scan.error;
    return { kind: 'error', stderr: [...warnings, `${CMD}: fatal: ${script.displayName}: line ${e.line}: Unmatched \`${e.quote}\` in [${e.rest}]`], exit: 1 };
  }
  if (scan.components.length > 1) {
    return {
      kind: 'error',
      stderr: [...warnings, `${CMD}: error: heterogeneous jobs (#SBATCH hetjob) are not supported by flow-slurm yet`],
      exit: 1,
    };
  }

  const r = emptyResolution();
  const now = input.now;
  const scriptFailure = applyDirectives(r, scan.components[0] ?? [], now);
  if (scriptFailure) return error(scriptFailure, warnings);
  const envFailure = applyEnvironment(r, input.env, now);
  if (envFailure) return error(envFailure, warnings);
  const cliFailure = applyParsed(r, cli.options, (o): OptionSource => ({ from: 'command-line', index: o.index }), now);
  if (cliFailure) return error(cliFailure, warnings);
  const conflict = validateSources(r);
  if (conflict) return error(conflict, warnings);

  const flow = parseFlowOptions(scan.flowWords, input.env);
  if (!flow.ok) return { kind: 'error', stderr: [...warnings, `${CMD}: error: ${flow.message}`], exit: 255 };

  return { kind: 'ok', submission: { resolution: r, script, flow: flow.options, warnings } };
}

/** The `#SBATCH` words of one component form one argument vector for getopt. */
function applyDirectives(r: Resolution, words: DirectiveWord[], now: Date): OptionFailure | undefined {
  if (words.length === 0) return undefined;
  const argv = words.map((w) => w.text);
  const parsed = parseArgv(argv, CMD);
  if (!parsed.ok) return parsed.failure;
  if (parsed.operandIndex < argv.length) {
    return { exit: 255, lines: [`Invalid directive found in batch script: ${argv[parsed.operandIndex]}`] };
  }
  return applyParsed(r, parsed.options, (o): OptionSource => {
    const w = words[o.index]!;
    return { from: 'script', line: w.line, column: w.column, component: 0 };
  }, now);
}

