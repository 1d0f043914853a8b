/** Timing helpers for the benchmark: interleaved runs, medians, ratios. */
import { spawnSync } from 'node:child_process';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of one process run, in ms. */
export function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: Buffer): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, input, stdio: ['pipe', 'ignore', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/**
 * Runs each named command `rounds` times, interleaved (A B C A B C ...), so
 * machine noise hits all of them alike; returns the median ms of each.
 */
export function interleaved(commands: Record<string, () => number>, rounds: number): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(commands)) samples[name] = [];
  for (let i = 0; i < rounds; i++) for (const [name, run] of Object.entries(commands)) samples[name]!.push(run());
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}
