/**
 * Checks HTTP exchanges against the Mithril OpenAPI document itself
 * (fixtures/mithril/openapi.json), not against our zod transcription of it:
 *
 * - a request: its path matches a path of the document and the method is one
 *   it has; every query parameter sent is declared, with a value of the
 *   declared type, enum and range; every required one is there; a body is
 *   sent exactly when the operation takes one, and validates against its
 *   schema (required fields, types, enums);
 * - an answer: a status the operation declares validates against the
 *   declared schema (a 204 has no body). The document declares only the
 *   successes and 422 for most paths; FastAPI's other refusals (400, 401,
 *   404, 405, 409) are checked as FastAPI writes them, `{"detail": "..."}`,
 *   a 429 must carry Retry-After, and a 5xx is allowed only where a fault
 *   was injected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, unknown>;
interface Parameter { name: string; in: string; required?: boolean; schema: Schema }
interface Operation { parameters?: Parameter[]; requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> }; responses: Record<string, { content?: Record<string, { schema: Schema }> }> }

export interface WireExchange {
  method: string;
  path: string;
  query: string;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, unknown>;
  responseBody: string;
  fault: string | null;
}

const doc = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'mithril', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`), literal: !t.includes('{') }));

/** The document's path template for a concrete path (a literal path wins over a template). */
export function templateOf(path: string): string | null {
  const hits = templates.filter((x) => x.re.test(path));
  return (hits.find((x) => x.literal) ?? hits[0])?.t ?? null;
}

function resolve(s: Schema): Schema {
  let out = s;
  for (let guard = 0; typeof out.$ref === 'string' && guard < 20; guard++) {
    const name = (out.$ref as string).replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved ${String(out.$ref)}`);
    const { $ref: _, ...rest } = out;
    out = { ...target, ...rest };
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON-schema validation for the keywords the document uses; problems as `where: what`. */
export function validateValue(schema: Schema, value: unknown, where: string): string[] {
  const s = resolve(schema);
  if (value === null) return s.nullable === true || s.type === 'null' || Object.keys(s).every((k) => ['title', 'description', 'examples', 'default'].includes(k)) ? [] : [`${where}: null where ${String(s.type ?? 'a value')} is required`];
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    const alts = (s.oneOf ?? s.anyOf) as Schema[];
    return alts.some((a) => validateValue(a, value, where).length === 0) ? [] : [`${where}: matches none of its alternatives`];
  }
  const out: string[] = [];
  if (Array.isArray(s.enum) && !s.enum.includes(value)) out.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  if ('const' in s && s.const !== value) out.push(`${where}: must be ${JSON.stringify(s.const)}`);
  switch (s.type) {
    case 'object': {
      if (!isObject(value)) return [...out, `${where}: not an object`];
      for (const r of (s.required as string[] | undefined) ?? []) if (!(r in value)) out.push(`${where}.${r}: required, missing`);
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, v] of Object.entries(value)) {
        if (props[k]) out.push(...validateValue(props[k]!, v, `${where}.${k}`));
        else if (s.additionalProperties === false) out.push(`${where}.${k}: not in the document`);
        else if (isObject(s.additionalProperties)) out.push(...validateValue(s.additionalProperties, v, `${where}.${k}`));
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [...out, `${where}: not an array`];
      if (s.items) value.forEach((v, k) => out.push(...validateValue(s.items as Schema, v, `${where}[${k}]`)));
      break;
    case 'string':
      if (typeof value !== 'string') return [...out, `${where}: not a string`];
      if (s.format === 'datetime' || s.format === 'date-time') {
        if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value)) out.push(`${where}: not an ISO date-time: ${value}`);
      }
      break;
    case 'integer':
      if (!Number.isInteger(value)) return [...out, `${where}: not an integer`];
      break;
    case 'number':
      if (typeof value !== 'number') return [...out, `${where}: not a number`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [...out, `${where}: not a boolean`];
      break;
    default:
      break;
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) out.push(`${where}: below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) out.push(`${where}: above ${s.maximum}`);
  }
  return out;
}

/** A query value (always text on the wire) against its parameter's schema. */
function checkQueryValue(p: Parameter, text: string): string[] {
  const s = resolve(p.schema);
  const where = `query ${p.name}`;
  if (s.type === 'array') {
    const items = resolve((s.items as Schema | undefined) ?? {});
    return text.split(',').flatMap((part) => (Array.isArray(items.enum) && !items.enum.includes(part) ? [`${where}: ${part} is not one of ${JSON.stringify(items.enum)}`] : []));
  }
  if (s.type === 'integer') {
    if (!/^-?\d+$/.test(text)) return [`${where}: ${text} is not an integer`];
    return validateValue(s, Number(text), where);
  }
  if (s.type === 'boolean') return /^(true|false)$/.test(text) ? [] : [`${where}: ${text} is not a boolean`];
  return validateValue(s, text, where);
}

function operation(x: WireExchange): { template: string; op: Operation } | string {
  const template = templateOf(x.path);
  if (!template) return `${x.method} ${x.path}: no such path in the document`;
  const op = doc.paths[template]![x.method.toLowerCase()];
  if (!op) return `${x.method} ${x.path}: the document has no ${x.method} for ${template}`;
  return { template, op };
}

/** What is wrong with a request, by the document (empty: nothing). */
export function checkRequest(x: WireExchange): string[] {
  const found = operation(x);
  if (typeof found === 'string') return [found];
  const { op } = found;
  const out: string[] = [];
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  const sent = new URLSearchParams(x.query);
  for (const [name, value] of sent) {
    const p = params.find((q) => q.name === name);
    if (!p) out.push(`query ${name}: not a parameter of ${x.method} ${found.template}`);
    else out.push(...checkQueryValue(p, value));
  }
  for (const p of params) if (p.required && !sent.has(p.name)) out.push(`query ${p.name}: required, missing`);
  const body = op.requestBody?.content['application/json']?.schema;
  if (body === undefined) {
    if (x.requestBody !== '') out.push(`a body was sent to ${x.method} ${found.template}, which takes none`);
  } else if (x.requestBody === '') {
    if (op.requestBody?.required) out.push('body: required, missing');
  } else {
    try {
      out.push(...validateValue(body, JSON.parse(x.requestBody), 'body'));
    } catch {
      out.push('body: not JSON');
    }
  }
  return out.map((p) => `${x.method} ${x.path}: ${p}`);
}

const FASTAPI_REFUSALS = new Set([400, 401, 403, 404, 405, 409, 413]);

/** What is wrong with an answer, by the document (empty: nothing). */
export function checkResponse(x: WireExchange): string[] {
  const found = operation(x);
  const tag = `${x.method} ${x.path} → ${x.status}`;
  if (typeof found === 'string') {
    // a path the API does not have: FastAPI's 404
    return x.status === 404 && x.responseBody === '{"detail":"Not Found"}' ? [] : [`${tag}: ${found}`];
  }
  const declared = found.op.responses[String(x.status)];
  if (declared) {
    const schema = declared.content?.['application/json']?.schema;
    if (!schema) return x.responseBody === '' ? [] : [`${tag}: a body where the document declares none`];
    try {
      return validateValue(schema, JSON.parse(x.responseBody), 'response').map((p) => `${tag}: ${p}`);
    } catch {
      return [`${tag}: not JSON`];
    }
  }
  if (x.status >= 500 || x.status === 429) {
    if (x.fault === null) return [`${tag}: not declared, and no fault was injected`];
    if (x.status === 429 && x.responseHeaders['retry-after'] === undefined) return [`${tag}: a 429 without Retry-After`];
    return [];
  }
  if (FASTAPI_REFUSALS.has(x.status)) {
    try {
      const b = JSON.parse(x.responseBody) as unknown;
      return isObject(b) && typeof b.detail === 'string' && Object.keys(b).length === 1 ? [] : [`${tag}: not FastAPI's {"detail": "..."}`];
    } catch {
      return [`${tag}: not JSON`];
    }
  }
  return [`${tag}: a status the document does not declare`];
}
