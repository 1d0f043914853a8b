/**
 * Which provider a job goes to, and a refusal when that provider cannot run
 * it. Local runs everything. Mithril runs batch jobs (sbatch, flow submit)
 * when its API key is set; an allocation of srun's or salloc's own on
 * Mithril is not built, so it is refused before anything is queued, never
 * run locally in its place.
 */
import { partitionFlow, type FlowConfig } from '../cluster/flow-config.js';
import { mithrilSettings } from '../providers/mithril/settings.js';
import type { FlowOptions } from '../submit/flow-options.js';

export const PROVIDERS: ReadonlySet<string> = new Set(['local', 'mithril']);

export interface RouteContext {
  /** a batch job (sbatch, flow submit, scontrol update of one); false: srun's or salloc's own allocation */
  batch: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

function refusal(provider: string, config: FlowConfig, ctx: RouteContext): string | undefined {
  if (provider === 'local') return undefined;
  if (!PROVIDERS.has(provider)) return 'does not exist (providers: local, mithril)';
  if (!ctx.batch) return "runs batch jobs only: an allocation of srun's or salloc's own on Mithril is not built yet";
  const s = mithrilSettings(ctx.env, config);
  return s.ok ? undefined : `cannot be used: ${s.message}`;
}

/** The refusal, or undefined: the job's own provider setting first, else each partition it may start in. */
export function providerRefusal(partitions: string, config: FlowConfig, flow: FlowOptions, ctx: RouteContext): string | undefined {
  if (flow.provider !== undefined) {
    const why = refusal(flow.provider, config, ctx);
    return why && `provider ${flow.provider} ${why}`;
  }
  for (const partition of partitions.split(',')) {
    const provider = partitionFlow(config, partition).provider;
    const why = provider === undefined ? undefined : refusal(provider, config, ctx);
    if (why) return `partition ${partition} is served by provider ${provider} (flow.json), which ${why}`;
  }
  return undefined;
}
