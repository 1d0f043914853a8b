/**
 * Getting the batch script the four ways sbatch takes it: a path (resolved
 * against the working directory, then PATH, for a bare name), standard input
 * when no path is given, the path `/dev/stdin`, and `--wrap`. The bytes are
 * read once, here, so a caller may delete its temporary file as soon as we
 * return. The checks and their wording are sbatch's.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, resolve } from 'node:path';

export interface BatchScript {
  /** the script exactly as submitted */
  bytes: Buffer;
  /** decoded for directive scanning */
  text: string;
  /** absolute path, or null for stdin and --wrap (`Command=(null)`) */
  path: string | null;
  /** the path as the user typed it */
  givenPath?: string;
  /** arguments after the script path */
  args: string[];
  /** the name sbatch uses in its messages about the script (basename, or `stdin`) */
  displayName: string;
  /** the job name when none is given */
  defaultJobName: string;
}

export type ScriptResult = { ok: true; script: BatchScript } | { ok: false; messages: string[] };

export interface ScriptSource {
  operands: string[];
  wrap: string | undefined;
  cwd: string;
  envPath: string | undefined;
  readStdin: () => Buffer;
  /** the script a path names, found and read; undefined when it cannot be opened (default: openScript) */
  open?: (given: string, cwd: string, envPath: string | undefined, readStdin: () => Buffer) => OpenedScript | undefined;
}

export interface OpenedScript {
  path: string;
  bytes: Buffer;
}

/**
 * The input is on another machine (a command the controller answers for it,
 * src/served): thrown through every reading here, so the caller can fetch it and try again.
 */
export class InputElsewhere extends Error {
  constructor(readonly need: InputNeeds) {
    super('the input is with the caller');
  }
}

/** What is read from the caller's machine: the script a path names (where to look: scriptCandidates), or stdin. */
export interface InputNeeds {
  script?: { given: string } & ReturnType<typeof scriptCandidates>;
  stdin?: true;
}

export function wrapScript(command: string): string {
  return `#!/bin/sh\n# This script was created by sbatch --wrap.\n\n${command}\n`;
}

export function loadScript(src: ScriptSource): ScriptResult {
  if (src.wrap !== undefined) {
    if (src.operands.length > 0) return { ok: false, messages: ['Script arguments not permitted with --wrap option'] };
    const text = wrapScript(src.wrap);
    return finish(Buffer.from(text), null, [], 'wrap', 'wrap');
  }
  const [given, ...args] = src.operands;
  if (given === undefined) {
    let bytes: Buffer;
    try {
      bytes = src.readStdin();
    } catch (e) {
      if (e instanceof InputElsewhere) throw e;
      bytes = Buffer.alloc(0);
    }
    return finish(bytes, null, [], 'stdin', 'sbatch');
  }
  const opened = (src.open ?? openScript)(given, src.cwd, src.envPath, src.readStdin);
  if (!opened) return { ok: false, messages: [`Unable to open file ${given}`] };
  const name = basename(given);
  const r = finish(opened.bytes, opened.path, args, name, name);
  if (r.ok) r.script.givenPath = given;
  return r;
}

/** The script `given` names, read from this machine (or stdin, for `/dev/stdin`). */
export function openScript(given: string, cwd: string, envPath: string | undefined, readStdin: () => Buffer): OpenedScript | undefined {
  const path = findScript(given, cwd, envPath);
  try {
    return { path, bytes: path === '/dev/stdin' || path === '/proc/self/fd/0' ? readStdin() : readFileSync(path) };
  } catch (e) {
    if (e instanceof InputElsewhere) throw e;
    return undefined;
  }
}

/**
 * Where a script path is looked for: `./x` and `/x` as given (`bare` false: the one path, found or not);
 * a bare name in the working directory if it is a file there, else the first readable file of that
 * name in a PATH directory, else the working directory's (which then fails to open).
 */
export function scriptCandidates(given: string, cwd: string, envPath: string | undefined): { bare: boolean; paths: string[] } {
  if (given.includes('/')) return { bare: false, paths: [isAbsolute(given) ? given : resolve(cwd, given)] };
  const paths = [resolve(cwd, given)];
  for (const dir of (envPath ?? '').split(delimiter)) if (dir) paths.push(resolve(cwd, dir, given));
  return { bare: true, paths };
}

export function findScript(given: string, cwd: string, envPath: string | undefined): string {
  const { bare, paths } = scriptCandidates(given, cwd, envPath);
  const local = paths[0]!;
  if (!bare || isFile(local)) return local;
  return paths.slice(1).find((p) => isFile(p) && isReadable(p)) ?? local;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isReadable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function finish(bytes: Buffer, path: string | null, args: string[], displayName: string, defaultJobName: string): ScriptResult {
  const problem = checkScript(bytes);
  if (problem) return { ok: false, messages: problem };
  return { ok: true, script: { bytes, text: bytes.toString('utf8'), path, args, displayName, defaultJobName } };
}

/** sbatch's content checks, in its order; undefined when the script is acceptable. */
export function checkScript(bytes: Buffer): string[] | undefined {
  if (bytes.length === 0) return ['Batch script is empty!'];
  if (isAllWhitespace(bytes)) return ['Batch script contains only whitespace!'];
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) {
    return [
      'This does not look like a batch script.  The first',
      'line must start with #! followed by the path to an interpreter.',
      'For instance: #!/bin/sh',
    ];
  }
  if (bytes.includes(0)) return ["The Slurm controller does not allow scripts that", "contain a NULL character '\\0'."];
  if (bytes.includes('\r\n')) return ['Batch script contains DOS line breaks (\\r\\n)', 'instead of expected UNIX line breaks (\\n).'];
  return undefined;
}

function isAllWhitespace(bytes: Buffer): boolean {
  for (const b of bytes) if (!(b === 32 || (b >= 9 && b <= 13))) return false;
  return true;
}
