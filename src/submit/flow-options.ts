/**
 * Flow-only settings of a job: how to buy its machines. They come from `#FLOW`
 * lines in the `#SBATCH` block (comments to Slurm, so scripts stay valid for
 * real Slurm), from `FLOW_*` variables, and from `flow submit` flags, in that
 * order of increasing precedence; the cluster's Flow config fills the rest.
 */
import * as z from 'zod/mini';
import { getopt, type GetoptTable, type ParsedOption } from '../options/getopt.js';
import { getoptTable } from '../options/command-line.js';
import type { DirectiveWord } from '../script/scan.js';

export interface FlowOptions {
  maxPricePerHour?: number;
  /** USD: the most one job may spend (Mithril) */
  maxCost?: number;
  instanceType?: string;
  region?: string;
  priority?: 'low' | 'med' | 'high';
  image?: string;
  provider?: 'local' | 'mithril';
}

const price = z.number().check(z.positive());
const priority = z.enum(['low', 'med', 'high']);
const provider = z.enum(['local', 'mithril']);

interface FlowOption {
  name: string;
  env: string;
  apply: (value: string, into: FlowOptions) => string | undefined;
}

const FLOW_OPTIONS: FlowOption[] = [
  {
    name: 'max-price-per-hour', env: 'FLOW_MAX_PRICE_PER_HOUR',
    apply: (v, o) => {
      const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
      if (!price.safeParse(n).success) return `Invalid --max-price-per-hour specification: ${v}`;
      o.maxPricePerHour = n;
      return undefined;
    },
  },
  {
    name: 'max-cost', env: 'FLOW_MAX_COST',
    apply: (v, o) => {
      const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
      if (!price.safeParse(n).success) return `Invalid --max-cost specification: ${v}`;
      o.maxCost = n;
      return undefined;
    },
  },
  { name: 'instance-type', env: 'FLOW_INSTANCE_TYPE', apply: (v, o) => void (o.instanceType = v) },
  { name: 'region', env: 'FLOW_REGION', apply: (v, o) => void (o.region = v) },
  {
    name: 'priority', env: 'FLOW_PRIORITY',
    apply: (v, o) => {
      const r = priority.safeParse(v);
      if (!r.success) return `Invalid --priority specification: ${v} (low, med or high)`;
      o.priority = r.data;
      return undefined;
    },
  },
  { name: 'image', env: 'FLOW_IMAGE', apply: (v, o) => void (o.image = v) },
  {
    name: 'provider', env: 'FLOW_PROVIDER',
    apply: (v, o) => {
      const r = provider.safeParse(v);
      if (!r.success) return `Invalid --provider specification: ${v} (local or mithril)`;
      o.provider = r.data;
      return undefined;
    },
  },
];

const byName = new Map(FLOW_OPTIONS.map((o) => [o.name, o]));
/** `#FLOW` words and `flow submit` flags: long options only, read as sbatch reads `#SBATCH` words (`+`: the first word that is no option is an error). */
export const FLOW_GETOPT: GetoptTable = getoptTable({
  command: 'flow',
  optstring: '+',
  long: FLOW_OPTIONS.map((o) => [o.name, 'required'] as const),
  onError: { tryHelp: false, exit: 255 },
});

export type FlowResult = { ok: true; options: FlowOptions } | { ok: false; message: string };

/** Apply getopt-parsed flow options (from `#FLOW` words or `flow submit` flags). */
export function applyFlowOptions(options: readonly ParsedOption[], into: FlowOptions): string | undefined {
  for (const o of options) {
    const message = byName.get(o.id)!.apply(o.value ?? '', into);
    if (message) return message;
  }
  return undefined;
}

export function parseFlowOptions(words: DirectiveWord[], env: Readonly<Record<string, string | undefined>>): FlowResult {
  const out: FlowOptions = {};
  if (words.length > 0) {
    const argv = words.map((w) => w.text);
    const r = getopt(argv, FLOW_GETOPT);
    if (!r.ok) return { ok: false, message: `#FLOW line ${words[r.index]?.line ?? '?'}: ${r.message}` };
    if (r.operandIndex < argv.length) return { ok: false, message: `Invalid #FLOW directive: ${argv[r.operandIndex]}` };
    const message = applyFlowOptions(r.options, out);
    if (message) return { ok: false, message };
  }
  for (const o of FLOW_OPTIONS) {
    const v = env[o.env];
    if (v === undefined || v === '') continue;
    const message = o.apply(v, out);
    if (message) return { ok: false, message: `${o.env}: ${message}` };
  }
  return { ok: true, options: out };
}
