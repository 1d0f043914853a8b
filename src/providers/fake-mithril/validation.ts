/**
 * Requests checked as FastAPI checks them: the body and the query against
 * the API's shapes (the strict zod schemas of ../mithril/schemas.ts), and a
 * failure answered 422 with FastAPI's `{detail: [{loc, msg, type}]}`, in
 * pydantic's words.
 */
import * as z from 'zod/mini';
import type { ValidationErrorItem } from '../mithril/schemas.js';

export class ValidationProblem extends Error {
  constructor(readonly detail: ValidationErrorItem[]) {
    super('validation');
  }
}

type Issue = z.core.$ZodIssue;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

const TYPE_WORDS: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  int: ['int_type', 'Input should be a valid integer'],
  number: ['float_type', 'Input should be a valid number'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  array: ['list_type', 'Input should be a valid list'],
  object: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
};

function items(issue: Issue, where: 'body' | 'query', input: unknown): ValidationErrorItem[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const loc = [where, ...path];
  switch (issue.code) {
    case 'invalid_type': {
      if (valueAt(input, issue.path) === undefined) return [{ loc, msg: 'Field required', type: 'missing' }];
      const [type, msg] = TYPE_WORDS[issue.expected] ?? ['type_error', `Input should be a valid ${issue.expected}`];
      return [{ loc, msg, type }];
    }
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ loc: [...loc, k], msg: 'Extra inputs are not permitted', type: 'extra_forbidden' }));
    case 'invalid_value':
      return [{ loc, msg: `Input should be ${issue.values.map((v) => `'${String(v)}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`, type: 'enum' }];
    case 'too_big':
      return [{ loc, msg: `Input should be less than or equal to ${String(issue.maximum)}`, type: 'less_than_equal' }];
    case 'too_small':
      return [{ loc, msg: `Input should be greater than or equal to ${String(issue.minimum)}`, type: 'greater_than_equal' }];
    case 'invalid_format':
      // the only formats we check are the digits of integer query parameters
      return [{ loc, msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing' }];
    case 'invalid_union':
      return [{ loc, msg: 'Input should be a valid value', type: 'union_tag_invalid' }];
    default:
      return [{ loc, msg: issue.message, type: 'value_error' }];
  }
}

/** The parsed value, or a ValidationProblem carrying FastAPI's 422 detail. */
export function validate<S extends z.ZodMiniType>(schema: S, input: unknown, where: 'body' | 'query'): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ValidationProblem(r.error.issues.flatMap((i) => items(i, where, input)));
}

/** A body that is missing or not JSON, as FastAPI reports it. */
export function jsonProblem(text: string, e: unknown): ValidationProblem {
  if (text === '') return new ValidationProblem([{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
  const m = /position (\d+)/.exec(String((e as Error).message));
  return new ValidationProblem([{ loc: ['body', m ? Number(m[1]) : 0], msg: 'JSON decode error', type: 'json_invalid' }]);
}
