/** Loading the recordings of real Slurm under fixtures/oracle/ for tests and the benchmark. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(ROOT, 'fixtures');

export interface OracleCase {
  name: string;
  script: string | null;
  args: string[];
  scriptArgs?: string[];
  env?: Record<string, string>;
  stdin?: boolean;
  scriptPath?: string;
  prefix?: string[];
  note?: string;
}

export interface OracleRecording {
  source: string;
  case: OracleCase;
  argv: string[];
  cwd: string;
  jobId: number | null;
  submitTime: number | null;
  deps: Record<string, number>;
  exit: number;
  stdout: string;
  stderr: string;
  scontrol?: string[];
}

/**
 * The time zone the recordings were made in: the oracle machine runs on UTC with no TZ set
 * (fixtures/oracle/README.md), so the local times real Slurm printed are UTC times.
 */
export const RECORDED_TZ = 'UTC';

/** Run f with the process's local time zone set to tz (Node re-reads TZ when it is assigned). */
export function inTimeZone<T>(tz: string, f: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return f();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

export function recordings(kind: 'parse' | 'errors'): OracleRecording[] {
  const dir = join(FIXTURES, 'oracle', kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OracleRecording);
}

/** `scontrol show job -o` line to fields; keys look like JobId, CPUs/Task, ReqB:S:C:T. */
export function scontrolFields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of line.replace(/\n$/, '').split(/ (?=[A-Za-z][A-Za-z0-9_/:]*=)/)) {
    const eq = part.indexOf('=');
    out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** The bytes of the script a recording submitted (from stdin or a file). */
export function scriptBytes(c: OracleCase): Buffer {
  return c.script ? readFileSync(join(FIXTURES, 'scripts', c.script)) : Buffer.alloc(0);
}
