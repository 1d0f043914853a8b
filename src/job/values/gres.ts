// Generic resources (--gres) and GPU counts (--gpus, --gpus-per-node/-task/-socket), and the
// TresPer*= strings scontrol shows for them.
import { gresSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { GresItemSyntax, Result } from '../../../grammar/values/index.js';

export interface GresRequest {
  name: string;
  type?: string;
  count: number;
  /** the item as written (scontrol shows it verbatim: `gres:gpu:02`) */
  raw: string;
}

export interface GpuRequest {
  type?: string;
  count: number;
  raw: string;
}

const GRES_INVALID = 'Invalid generic resource (gres) specification';
const TRES_INVALID = 'Invalid Trackable RESource (TRES) specification';
const clientError = (column: number): Result<never> => fail(GRES_INVALID, column);
const controllerError = (column: number): Result<never> => fail(TRES_INVALID, column, { side: 'controller' });
const UNIT_POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

/** A count: digits, optionally one of k m g t p (×1024^n, either case), that optionally followed by b. */
function countOf(field: GresItemSyntax['fields'][number] | undefined): number | null {
  const c = field?.count;
  if (!c) return null;
  const s = c.suffix.toLowerCase();
  if (s === '') return Number(c.digits);
  const power = UNIT_POWER[s[0]!];
  if (power === undefined || (s.length === 2 && s[1] !== 'b') || s.length > 2) return null;
  return Number(c.digits) * 1024 ** power;
}

function gresItem(item: GresItemSyntax, gresTypes: readonly string[]): Result<GresRequest> {
  const col = item.offset + 1;
  if (item.text === '') return controllerError(col);
  if (item.text.startsWith('gres:')) {
    // a "gres:" in front is accepted and dropped
    const inner = gresSyntax(item.text.slice(5));
    const first = inner.ok ? inner.value[0] : undefined;
    if (!first || first.text === '') return controllerError(col);
    const r = gresItem({ ...first, offset: item.offset + 5 + first.offset }, gresTypes);
    return r.ok ? ok({ ...r.value, raw: item.text }) : r;
  }
  const [nameField, second, third] = item.fields;
  const name = nameField!.text;
  if (!gresTypes.includes(name)) return clientError(col);
  if (second === undefined) return ok({ name, count: 1, raw: item.text });
  if (third === undefined) {
    if (second.text === '') return clientError(second.offset + 1);
    const c = second.text[0]!;
    if (c < '0' || c > '9') return ok({ name, type: second.text, count: 1, raw: item.text });
    const count = countOf(second);
    // sbatch lets "gpu:2x" through (as a type); slurmctld refuses it
    return count === null ? controllerError(second.offset + 1) : ok({ name, count, raw: item.text });
  }
  if (second.text === '' || third.text === '') return clientError(col);
  const count = third.hasColon ? null : countOf(third);
  if (count === null) return clientError(third.offset + 1);
  return ok({ name, type: second.text, count, raw: item.text });
}

/**
 * `--gres=name[[:type]:count][,...]` (count default 1, suffix k/m/g/t/p = ×1024^n, optionally with b;
 * a leading `gres:` is allowed; `none` in any case = no gres). With one colon, a field starting with a
 * digit is the count, anything else the type. Names must be among `gresTypes` (slurm.conf GresTypes),
 * case-sensitive; types are not checked.
 *
 * Failures, both exit 1: sbatch itself: `sbatch: error: Invalid generic resource (gres) specification`
 * (unknown name, empty type/count, bad count after a type, more fields); controller-side (`side`):
 * `Batch job submission failed: Invalid Trackable RESource (TRES) specification` (empty items, a bad
 * count without type such as `gpu:2x`, an empty value).
 */
export function parseGres(text: string, options: { gresTypes?: readonly string[] } = {}): Result<GresRequest[]> {
  if (text.toLowerCase() === 'none') return ok([]);
  const gresTypes = options.gresTypes ?? ['gpu'];
  const parsed = gresSyntax(text);
  if (!parsed.ok) return controllerError(parsed.error.column);
  const out: GresRequest[] = [];
  for (const item of parsed.value) {
    const r = gresItem(item, gresTypes);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

/**
 * `--gpus`, `--gpus-per-node`, `--gpus-per-task`, `--gpus-per-socket`: `[type:]count[,...]`; each item is
 * checked as `--gres=gpu:<item>` would be (so `gpu:2` means type "gpu"), empty items are skipped, an
 * empty value means none. Failures as {@link parseGres}.
 */
export function parseGpus(text: string): Result<GpuRequest[]> {
  const parsed = gresSyntax(text);
  if (!parsed.ok) return controllerError(parsed.error.column);
  const out: GpuRequest[] = [];
  for (const item of parsed.value) {
    if (item.text === '') continue;
    const inner = gresSyntax(`gpu:${item.text}`);
    const first = inner.ok ? inner.value[0] : undefined;
    if (!first) return controllerError(item.offset + 1);
    const r = gresItem(first, ['gpu']);
    if (!r.ok) return fail(r.error.message, item.offset + 1, r.error.side ? { side: r.error.side } : undefined);
    out.push(r.value.type === undefined ? { count: r.value.count, raw: item.text } : { type: r.value.type, count: r.value.count, raw: item.text });
  }
  return ok(out);
}

/** `TresPerNode=`/`TresPerJob=`/`TresPerTask=`/`TresPerSocket=` items of a --gres value: `gres:gpu:h100:2`. */
export function formatGresTres(gres: readonly GresRequest[]): string {
  return gres.map((g) => (g.raw.startsWith('gres:') ? g.raw : `gres:${g.raw}`)).join(',');
}

/** Items of a --gpus* value: `gres:gpu:3`, `gres:gpu:h100:3`. */
export function formatGpusTres(gpus: readonly GpuRequest[]): string {
  return gpus.map((g) => `gres:gpu:${g.raw}`).join(',');
}

/**
 * `TresPerNode=` when both --gpus-per-node and --gres are given: the --gpus-per-node items first
 * (`--gres=gpu:h100:4 --gpus-per-node=h100:2` → `gres:gpu:h100:2,gres:gpu:h100:4`). Undefined when empty.
 */
export function formatTresPerNode(gpusPerNode: readonly GpuRequest[] | undefined, gres: readonly GresRequest[] | undefined): string | undefined {
  const parts = [gpusPerNode?.length ? formatGpusTres(gpusPerNode) : '', gres?.length ? formatGresTres(gres) : ''].filter((p) => p !== '');
  return parts.length ? parts.join(',') : undefined;
}
