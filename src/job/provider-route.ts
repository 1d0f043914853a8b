/**
 * Which provider a job goes to, and a refusal when that provider cannot run
 * jobs yet. Only the local provider has a job driver today: the Mithril client
 * and the fake market exist, the driver that would run a job on Mithril does
 * not. A job routed there (by `--provider`, `#FLOW`, FLOW_PROVIDER or the
 * partition's entry in flow.json) is refused before anything is queued, never
 * run locally in its place.
 */
import { partitionFlow, type FlowConfig } from '../cluster/flow-config.js';
import type { FlowOptions } from '../submit/flow-options.js';

/** the providers that can run a job today */
export const JOB_PROVIDERS: ReadonlySet<string> = new Set(['local']);

const NOT_BUILT = 'has no job driver yet (only local runs jobs)';

/** The refusal, or undefined: the job's own provider setting first, else each partition it may start in. */
export function providerRefusal(partitions: string, config: FlowConfig, flow: FlowOptions): string | undefined {
  if (flow.provider !== undefined) {
    return JOB_PROVIDERS.has(flow.provider) ? undefined : `provider ${flow.provider} ${NOT_BUILT}`;
  }
  for (const partition of partitions.split(',')) {
    const provider = partitionFlow(config, partition).provider;
    if (provider !== undefined && !JOB_PROVIDERS.has(provider)) {
      return `partition ${partition} is served by provider ${provider} (flow.json), which ${NOT_BUILT}`;
    }
  }
  return undefined;
}
