/**
 * `--export` of srun: which of srun's own environment variables reach the
 * tasks. Recorded on 22.05 (fixtures/oracle/srun/export): with ALL anywhere
 * in the list every variable goes, and `NAME=value` only fills in a variable
 * srun's environment lacks (sbatch does the opposite); without ALL the tasks
 * get the SLURM_* variables, the named ones and the `NAME=value` ones, and
 * nothing else (no PATH, no HOME). FLOW_* variables travel like SLURM_* ones:
 * they are how our commands inside the tasks find the cluster, as slurm.conf
 * is for Slurm's. Pure.
 */

/** Commas split the list except inside quotes (`A=1,B="x,y"`). */
export function splitExport(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Variables that always reach the tasks. */
export const alwaysExported = (name: string): boolean => name.startsWith('SLURM_') || name.startsWith('FLOW_');

export function stepExport(spec: string | undefined, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  const items = spec === undefined ? ['ALL'] : splitExport(spec);
  const all = items.some((i) => i.toUpperCase() === 'ALL');
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && (all || alwaysExported(k))) out[k] = v;
  }
  for (const item of items) {
    const upper = item.toUpperCase();
    if (upper === 'ALL' || upper === 'NONE' || item === '') continue;
    const eq = item.indexOf('=');
    if (eq > 0) {
      const name = item.slice(0, eq);
      if (!all || env[name] === undefined) out[name] = item.slice(eq + 1);
    } else if (env[item] !== undefined) {
      out[item] = env[item]!;
    }
  }
  return out;
}

/** What reaches the tasks of srun's environment: srun sets SRUN_DEBUG in it first, so only ALL passes that on. */
export function exportedToTasks(spec: string | undefined, srunEnv: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return stepExport(spec, { ...srunEnv, SRUN_DEBUG: '3' });
}
