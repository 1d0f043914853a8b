/**
 * Flow's own settings beside slurm.conf (`flow.json` in the same directory,
 * or the file FLOW_CONFIG names): which provider serves each partition and,
 * for Mithril, what to buy and at what limit price. Validated with zod; every
 * field is optional, so a cluster without the file runs everything locally.
 * Objects are strict: a misspelt key is an error, not a setting silently lost.
 */
import * as z from 'zod/mini';

const Priority = z.enum(['low', 'med', 'high']);

const PartitionFlow = z.strictObject({
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

/** the Mithril API client's settings (MITHRIL_API_URL and MITHRIL_PROJECT override them) */
const MithrilFlow = z.strictObject({
  apiUrl: z.optional(z.string()),
  project: z.optional(z.string()),
  sshKeys: z.optional(z.array(z.string())),
  /** the login on the instances (default ubuntu, as on Mithril's images) */
  sshUser: z.optional(z.string()),
});

export const FlowConfigSchema = z.strictObject({
  defaults: z.optional(PartitionFlow),
  partitions: z.optional(z.record(z.string(), PartitionFlow)),
  /** false: never add the emulated nodes' names to /etc/hosts (FLOW_ETC_HOSTS=0 does the same for one process) */
  etcHosts: z.optional(z.boolean()),
  mithril: z.optional(MithrilFlow),
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
  if (!r.success) return { ok: false, message: `${source}: ${describeIssue(r.error.issues[0], json)}` };
  return { ok: true, config: r.data };
}

interface Issue {
  code: string;
  path: PropertyKey[];
  expected?: string;
  values?: unknown[];
  keys?: string[];
  minimum?: unknown;
  origin?: string;
}

/** `partitions.h100.shapes[1]`: the key as one writes it in the file. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('') || '(top level)';
}

const EXPECTED: Record<string, string> = {
  object: 'an object', record: 'an object', array: 'an array', string: 'a string', number: 'a number',
  int: 'a whole number', boolean: 'true or false',
};

/** What the file had at that key, short. */
function got(json: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = json;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  const text = v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** One line: the key and what was expected there (zod/mini carries no messages of its own). */
export function describeIssue(issue: Issue | undefined, json: unknown): string {
  if (!issue) return 'invalid';
  const at = keyPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys ?? [];
      return `${keyPath([...issue.path, keys[0] ?? '?'])}: unknown key${keys.length > 1 ? ` (also ${keys.slice(1).join(', ')})` : ''}; expected one of ${knownKeys(issue.path).join(', ')}`;
    }
    case 'invalid_value':
      return `${at}: expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${got(json, issue.path)}`;
    case 'too_small':
      return `${at}: expected a ${issue.origin === 'number' && issue.minimum === 0 ? 'positive number' : `value of at least ${String(issue.minimum)}`}, got ${got(json, issue.path)}`;
    case 'invalid_type':
      return `${at}: expected ${EXPECTED[issue.expected ?? ''] ?? issue.expected}, got ${got(json, issue.path)}`;
    default:
      return `${at}: invalid value ${got(json, issue.path)}`;
  }
}

/** The keys an object at this path may have (for `unknown key` errors). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(FlowConfigSchema.def.shape);
  if (path[0] === 'mithril') return Object.keys(MithrilFlow.def.shape);
  return Object.keys(PartitionFlow.def.shape);
}

/** The settings for one partition: its own entry over the defaults. */
export function partitionFlow(config: FlowConfig, partition: string): PartitionFlowConfig {
  return { ...config.defaults, ...config.partitions?.[partition] };
}
