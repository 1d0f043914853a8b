/**
 * Flow's own settings beside slurm.conf (`flow.json` in the same directory,
 * or the file FLOW_CONFIG names): which provider serves each partition and,
 * for Mithril, what to buy and at what limit price. Validated with zod; every
 * field is optional, so a cluster without the file runs everything locally.
 */
import * as z from 'zod/mini';

const Priority = z.enum(['low', 'med', 'high']);

const PartitionFlow = z.object({
  provider: z.optional(z.enum(['local', 'mithril'])),
  /** Mithril instance type for one node (`8xh100`, `a100-80gb.sxm.2x`...) */
  instanceType: z.optional(z.string()),
  /** GPU model of the instances, when the instance type does not say it */
  gpuType: z.optional(z.string()),
  /** instance shapes on offer (GPUs per instance), smallest first */
  shapes: z.optional(z.array(z.int().check(z.positive()))),
  maxPricePerHour: z.optional(z.number().check(z.positive())),
  region: z.optional(z.string()),
  priority: z.optional(Priority),
  image: z.optional(z.string()),
});

export const FlowConfigSchema = z.object({
  defaults: z.optional(PartitionFlow),
  partitions: z.optional(z.record(z.string(), PartitionFlow)),
  mithril: z.optional(z.object({
    apiUrl: z.optional(z.string()),
    project: z.optional(z.string()),
    sshKeys: z.optional(z.array(z.string())),
  })),
});

export type FlowConfig = z.infer<typeof FlowConfigSchema>;
export type PartitionFlowConfig = z.infer<typeof PartitionFlow>;

export type FlowConfigResult = { ok: true; config: FlowConfig } | { ok: false; message: string };

export function parseFlowConfig(text: string, source: string): FlowConfigResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${source}: not valid JSON (${(e as Error).message})` };
  }
  const r = FlowConfigSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, message: `${source}: ${issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'invalid'}` };
  }
  return { ok: true, config: r.data };
}

/** The settings for one partition: its own entry over the defaults. */
export function partitionFlow(config: FlowConfig, partition: string): PartitionFlowConfig {
  return { ...config.defaults, ...config.partitions?.[partition] };
}
