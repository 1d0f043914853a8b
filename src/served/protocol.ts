/**
 * Commands answered by the controller. Real sbatch, squeue, scancel and
 * scontrol each make one call to slurmctld, which does the work; here a
 * command may ask the leading controller to run the very same command
 * function for it. The controller's code is warm (a command process runs its
 * loops once, cold, and pays its runtime's start): for 10,000 jobs that is
 * most of squeue's time, and for one submission nearly all of sbatch's. The
 * answer is byte for byte what the command would have printed itself; when no
 * controller of the same build answers in time, the command does the work
 * itself. The caller's uid is taken as it claims it: whoever reaches the
 * cluster's Redis can already act as any user (README, "Users and trust").
 */

import type { InputNeeds } from '../script/read.js';
import type { Identity } from '../submit/prepare.js';

declare const __FLOW_BUILD_ID__: string | undefined;

/** The build the commands and the controller come from (undefined when not bundled: never served). */
export const BUILD_ID: string | undefined = typeof __FLOW_BUILD_ID__ === 'string' ? __FLOW_BUILD_ID__ : undefined;

/** The commands a controller answers. */
export const SERVED_COMMANDS = ['sbatch', 'squeue', 'scancel', 'scontrol', 'sacct', 'sinfo'] as const;
export type ServedCommand = (typeof SERVED_COMMANDS)[number];

/** Those that change nothing: done again in full when an answer is lost, and queued apart (serveRead). */
export const READ_ONLY: ReadonlySet<ServedCommand> = new Set(['squeue', 'sacct', 'sinfo']);

/** The list a request waits in: one thread of the controller takes only those that change jobs, so a long listing keeps no submission waiting. */
export const laneOf = (command: ServedCommand, keys: { serve: string; serveRead: string }): string => (READ_ONLY.has(command) ? keys.serveRead : keys.serve);

export interface ServeRequest {
  id: string;
  command: ServedCommand;
  argv: string[];
  /** the variables the command reads (path-valued ones made absolute); sbatch's: all of them, as they are */
  env: Record<string, string>;
  cwd: string;
  uid: number;
  /** the caller's time zone (zoneOf): times are printed in it, so only a controller in the same zone answers */
  zone: string;
  /** sbatch: who submits, from where */
  identity?: Identity;
  /** sbatch: the script a path names, as the caller found it (no path: it could not be opened); base64 */
  script?: { given: string; path?: string; bytes?: string };
  /** sbatch: what the caller read from its stdin (the script, when no path is given); base64 */
  stdin?: string;
  /** the same for every request of one command run: a submission retried after its controller died is the same job */
  once?: string;
}

/** Marks a command run again in full after the controller that took it died: its `once` (launch.cjs `--once=`; main/sbatch.ts reads it). */
export const ONCE = Symbol.for('flow-slurm.once');

/**
 * What sbatch needs of the caller's machine before it can answer, as a NEED answer's stderr:
 * `stdin`, or `script`, `1` for a bare name (else `0`), the name as given, and where to look
 * (script/read.ts scriptCandidates), NUL-separated (a path holds any other byte).
 */
export function encodeNeeds(needs: InputNeeds): string {
  if (needs.script) return ['script', needs.script.bare ? '1' : '0', needs.script.given, ...needs.script.paths].join('\0');
  return needs.stdin ? 'stdin' : '';
}

export function decodeNeeds(text: string): InputNeeds {
  const [kind, bare, given, ...paths] = text.split('\0');
  if (kind === 'script' && given !== undefined) return { script: { given, bare: bare === '1', paths } };
  return kind === 'stdin' ? { stdin: true } : {};
}

/** Marks a command whose controller was asked in vain (launch.cjs sets it for `--asked`; served/main.ts reads it). */
export const ASKED = Symbol.for('flow-slurm.asked');

export interface ServeAnswer {
  code: number;
  /** as bytes: the controller turns each chunk into bytes as it comes, so no large string outlives it */
  stdout: Buffer;
  stderr: string;
}

/** What of the caller's environment the served commands may read (sbatch keeps all of it with the job). */
const SERVED_ENV = /^(SLURM_|SQUEUE_|SACCT_|SINFO_|SCONTROL_|SCANCEL_|FLOW_|TZ$|USER$|LOGNAME$|HOME$|XDG_STATE_HOME$)/;
const PATHS = ['SLURM_CONF', 'FLOW_CONFIG', 'FLOW_STATE_DIR'];

/** The environment sent, or undefined when it cannot be: sbatch keeps it as it is, so a relative path in it stays here. */
export function servedEnv(command: ServedCommand, env: Readonly<Record<string, string | undefined>>, abs: (p: string) => string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (command === 'sbatch') {
    for (const k of PATHS) if (env[k] && !env[k]!.startsWith('/')) return undefined;
    for (const k in env) if (env[k] !== undefined) out[k] = env[k]!;
    return out;
  }
  for (const k in env) {
    const v = env[k];
    if (v !== undefined && SERVED_ENV.test(k)) out[k] = PATHS.includes(k) && v !== '' ? abs(v) : v;
  }
  return out;
}

/**
 * A time zone as TZ names it, or, without TZ, as /etc/localtime's bytes do: what the C client can tell
 * without time zone data of its own, and stricter than an offset (two zones share today's offset).
 */
export function zoneOf(tz: string | undefined, localtime: Uint8Array | undefined): string {
  if (tz !== undefined) return `TZ=${tz}`;
  if (localtime === undefined) return 'UTC';
  let h = 0x811c9dc5;
  for (const b of localtime) h = Math.imul(h ^ b, 0x01000193);
  return `localtime:${(h >>> 0).toString(16)}-${localtime.length}`;
}

/** `code \n stderr bytes \n stderr stdout`: no escaping of a large output. */
export function encodeAnswer(a: ServeAnswer): Buffer {
  const err = Buffer.from(a.stderr);
  return Buffer.concat([Buffer.from(`${a.code}\n${err.length}\n`), err, a.stdout]);
}

export function decodeAnswer(bytes: Buffer): ServeAnswer | undefined {
  const nl1 = bytes.indexOf(10);
  const nl2 = bytes.indexOf(10, nl1 + 1);
  if (nl1 < 0 || nl2 < 0) return undefined;
  const code = Number(bytes.toString('latin1', 0, nl1));
  const errLength = Number(bytes.toString('latin1', nl1 + 1, nl2));
  if (!Number.isInteger(code) || !Number.isInteger(errLength)) return undefined;
  const errEnd = nl2 + 1 + errLength;
  return { code, stderr: bytes.toString('utf8', nl2 + 1, errEnd), stdout: bytes.subarray(errEnd) };
}

/** An answer the caller must not use: it falls back to doing the work itself. */
export const DECLINED = -1;
/** An answer that asks for input from the caller's machine (stderr: encodeNeeds); the caller asks again with it. */
export const NEED = -2;
