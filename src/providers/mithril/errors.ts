/**
 * Mithril's server is FastAPI: a refused request answers `{detail: "text"}`
 * or, for a body or query that does not validate (422), `{detail: [{loc, msg,
 * type}]}`. Both become one line a user can act on, and a kind the caller can
 * branch on. The kinds follow the wording the Flow SDK matches on (price below
 * minimum, quota, name already used...), since the API has no error codes.
 */
import { ErrorBody } from './schemas.js';

export type MithrilErrorKind =
  | 'auth' // 401/403: no key, a wrong key, or a project of someone else
  | 'price' // limit price below the minimum
  | 'quota'
  | 'instance-type' // no such instance type
  | 'region' // no such region, or the type is not offered there
  | 'name-conflict'
  | 'not-found'
  | 'validation' // 422 and other refusals
  | 'rate-limit' // 429, still refused after our retries
  | 'server' // 5xx after our retries
  | 'network' // no answer: refused, reset, timed out
  | 'response'; // an answer that is not what the API document says

export class MithrilError extends Error {
  constructor(
    readonly kind: MithrilErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MithrilError';
  }
}

/** `body.launch_specification.ssh_keys` from FastAPI's loc list. */
function loc(l: readonly (string | number)[]): string {
  return l.map(String).join('.');
}

/** The text of FastAPI's `detail`, whichever form it takes; null when the body is not FastAPI's. */
export function detailText(body: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const r = ErrorBody.safeParse(json);
  if (!r.success) return null;
  const d = r.data.detail;
  if (typeof d === 'string') return d;
  return d.map((i) => (i.loc.length > 0 ? `${loc(i.loc)}: ${i.msg}` : i.msg)).join('; ');
}

/** What kind of refusal a status and its detail text are. */
export function classify(status: number, detail: string): MithrilErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limit';
  if (status >= 500) return 'server';
  if (/price\b.*\bbelow\b.*\bminimum|below (the )?minimum/i.test(detail)) return 'price';
  if (/quota/i.test(detail)) return 'quota';
  if (/name (is )?already (used|in use|exists)|already (used|exists) .*name/i.test(detail) || status === 409) return 'name-conflict';
  if (/region/i.test(detail) && /unknown|not (found|available|offered)|invalid/i.test(detail)) return 'region';
  if (/instance.type/i.test(detail) && /unknown|not found|invalid/i.test(detail)) return 'instance-type';
  if (status === 404) return 'not-found';
  return 'validation';
}

const HINT: Partial<Record<MithrilErrorKind, string>> = {
  auth: ' (check MITHRIL_API_KEY)',
};

/** One line for an HTTP error answer: `mithril: POST /v2/spot/bids: 400 Limit price below minimum ($8.00)`. */
export function httpError(method: string, path: string, status: number, body: string): MithrilError {
  const first = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
  // a gateway's HTML page says nothing its status does not
  const detail = detailText(body) ?? (first === '' || first.startsWith('<') ? httpStatusText(status) : first);
  const kind = classify(status, detail);
  return new MithrilError(kind, `mithril: ${method} ${path}: ${status} ${oneLine(detail)}${HINT[kind] ?? ''}`, status);
}

function httpStatusText(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' } as Record<number, string>)[status] ?? 'error';
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
