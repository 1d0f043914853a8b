/**
 * Read-only commands answered by the controller. Real squeue asks slurmctld,
 * which holds the job list in memory; here a command may ask the leading
 * controller to run the very same command function for it. The controller's
 * code is warm (a command process runs its loops once, cold): for 10,000 jobs
 * that is most of squeue's time. The answer is byte for byte what the command
 * would have printed itself; when no controller of the same build answers in
 * time, the command does the work itself.
 */

declare const __FLOW_BUILD_ID__: string | undefined;

/** The build the commands and the controller come from (undefined when not bundled: never served). */
export const BUILD_ID: string | undefined = typeof __FLOW_BUILD_ID__ === 'string' ? __FLOW_BUILD_ID__ : undefined;

/** The commands a controller answers. */
export type ServedCommand = 'squeue' | 'sacct';

export interface ServeRequest {
  id: string;
  command: ServedCommand;
  argv: string[];
  /** the variables the command reads (path-valued ones made absolute) */
  env: Record<string, string>;
  cwd: string;
  uid: number;
  /** the caller's time zone: times are printed in it */
  tz: string;
  utcOffset: number;
}

export interface ServeAnswer {
  code: number;
  /** as bytes: the controller turns each chunk into bytes as it comes, so no large string outlives it */
  stdout: Buffer;
  stderr: string;
}

/** What of the caller's environment the served commands may read. */
const SERVED_ENV = /^(SLURM_|SQUEUE_|SACCT_|SINFO_|SCONTROL_|FLOW_|TZ$|USER$|LOGNAME$|HOME$)/;
const PATHS = new Set(['SLURM_CONF', 'FLOW_CONFIG', 'FLOW_STATE_DIR']);

export function servedEnv(env: Readonly<Record<string, string | undefined>>, abs: (p: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && SERVED_ENV.test(k)) out[k] = PATHS.has(k) && v !== '' ? abs(v) : v;
  }
  return out;
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
