// --export: which variables of the submitting environment the job gets.
import { exportSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { ok } from '../../../grammar/values/result.js';
import type { Result } from '../../../grammar/values/index.js';

export type ExportItem = { kind: 'all' } | { kind: 'name'; name: string } | { kind: 'set'; name: string; value: string };

export interface ExportSpec {
  /** `ALL` and `NONE` only when they are the whole value (any case); anything else is a list */
  mode: 'ALL' | 'NONE' | 'LIST';
  items: ExportItem[];
  /** the value as given (what the job sees in SLURM_EXPORT_ENV) */
  raw: string;
  /** lines sbatch logs as `sbatch: error: ...` without failing (unterminated quotes) */
  warnings: string[];
}

/**
 * `--export` as sbatch 22.05 reads it. The whole value `ALL` or `NONE` (any case) selects that mode;
 * anything else is a comma list of `ALL` (any case), `NAME` and `NAME=value`, applied left to right.
 * Commas inside '…' or "…" do not split; a token that starts and ends with the same quote loses them
 * (`"FOO=a,b"` → FOO=a,b) but quotes inside a value stay (`FOO="a,b"` → FOO="a,b"). An unterminated quote
 * takes the rest of the value and sbatch logs `Improperly formed environment variable (<rest>)` but
 * still submits. `NIL` is not special in 22.05 (a variable name). Never fails.
 */
export function parseExport(text: string): Result<ExportSpec> {
  const upper = text.toUpperCase();
  if (upper === 'ALL' || upper === 'NONE') return ok({ mode: upper, items: [], raw: text, warnings: [] });
  const tokens = exportSyntax(text);
  const items: ExportItem[] = [];
  const warnings: string[] = [];
  for (const t of tokens.ok ? tokens.value : []) {
    let tok = text.slice(t.start, t.end);
    if (t.unterminated) {
      warnings.push(`Improperly formed environment variable (${tok})`);
    } else if (tok.length >= 2 && (tok[0] === "'" || tok[0] === '"') && tok[tok.length - 1] === tok[0]) {
      tok = tok.slice(1, -1);
    }
    if (tok.toUpperCase() === 'ALL') items.push({ kind: 'all' });
    else {
      const eq = tok.indexOf('=');
      if (eq >= 0) items.push({ kind: 'set', name: tok.slice(0, eq), value: tok.slice(eq + 1) });
      else items.push({ kind: 'name', name: tok });
    }
  }
  return ok({ mode: 'LIST', items, raw: text, warnings });
}

export interface JobEnvironment {
  env: Record<string, string>;
  /** slurmd must first load the user's login environment (`su - user -c env`), then overlay `env` */
  loadLoginEnv: boolean;
}

/**
 * The environment a batch job starts with, before the login environment (when `loadLoginEnv`) and the
 * SLURM_* job variables are added. `undefined` spec = no --export = ALL. ALL: the whole submit
 * environment, no login environment, no SLURM_EXPORT_ENV. NONE and lists: only what the tokens select
 * (later tokens overwrite earlier ones, so `ALL,FOO=x` gives x and `FOO=x,ALL` the caller's FOO), then
 * every SLURM_* variable of the submit environment (these overwrite explicit ones), SLURM_EXPORT_ENV set
 * to the value and SLURM_GET_USER_ENV=1; the login environment is loaded first (even with ALL in a list).
 */
export function applyExport(spec: ExportSpec | undefined, submitEnv: Readonly<Record<string, string | undefined>>): JobEnvironment {
  const env: Record<string, string> = {};
  const copyAll = (): void => {
    for (const [k, v] of Object.entries(submitEnv)) if (v !== undefined) env[k] = v;
  };
  if (spec === undefined || spec.mode === 'ALL') {
    copyAll();
    return { env, loadLoginEnv: false };
  }
  for (const item of spec.items) {
    if (item.kind === 'all') copyAll();
    else if (item.kind === 'set') {
      if (item.name !== '') env[item.name] = item.value;
    } else {
      const v = submitEnv[item.name];
      if (item.name !== '' && v !== undefined) env[item.name] = v;
    }
  }
  for (const [k, v] of Object.entries(submitEnv)) if (v !== undefined && k.startsWith('SLURM_')) env[k] = v;
  env.SLURM_EXPORT_ENV = spec.raw;
  env.SLURM_GET_USER_ENV = '1';
  return { env, loadLoginEnv: true };
}
