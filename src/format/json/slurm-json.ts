/**
 * JSON the way Slurm 22.05's commands print it (--json): two-space indent,
 * `"key": value`, slashes escaped as `\/`, an empty list as `[` and `]` on
 * separate lines, floats with a decimal point. Clients parse it, and the
 * golden tests compare it byte for byte.
 */
export class Float {
  constructor(readonly value: number) {}
}

export type JsonValue = string | number | boolean | null | Float | JsonValue[] | { [key: string]: JsonValue };

function quote(s: string): string {
  return JSON.stringify(s).replace(/\//g, '\\/');
}

function render(v: JsonValue, depth: number): string {
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (v === null) return 'null';
  if (v instanceof Float) return Number.isInteger(v.value) ? `${v.value}.0` : String(v.value);
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n${close}]`;
    return `[\n${v.map((x) => pad + render(x, depth + 1)).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return `{\n${close}}`;
  return `{\n${entries.map(([k, x]) => `${pad}${quote(k)}: ${render(x, depth + 1)}`).join(',\n')}\n${close}}`;
}

/** The whole document; like Slurm, no newline after the closing brace. */
export function slurmJson(v: JsonValue): string {
  return render(v, 0);
}

/** The `meta` block every 22.05 --json output starts with. */
export const META: JsonValue = {
  plugin: { type: 'openapi/v0.0.38', name: 'Slurm OpenAPI v0.0.38' },
  Slurm: { version: { major: 22, micro: 8, minor: 5 }, release: '22.05.8' },
};
