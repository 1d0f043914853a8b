// Dates and times for --begin, --deadline (and later sacct -S/-E): Slurm 22.05's parse_time().
import { cnumSyntax, dateSyntax } from '../../../grammar/values/index.js';
// ok/fail from their own module: through the index they would load the grammar bundle
import { fail, ok } from '../../../grammar/values/result.js';
import type { DateItem, DateUnit, Result } from '../../../grammar/values/index.js';
import { longOf } from './cint.js';

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400, weeks: 604800 } as const;
const KEYWORD_HOUR = { midnight: 0, noon: 12, fika: 15, teatime: 16 } as const;
const LONG_MAX = (1n << 63n) - 1n;

interface Tm {
  year: number; // full year
  month: number; // 0-11
  mday: number;
  hour: number;
  minute: number;
  second: number;
}

function tmOf(epochMs: number): Tm {
  const d = new Date(epochMs);
  return {
    year: d.getFullYear(),
    month: d.getMonth(),
    mday: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
  };
}

/** mktime() in the local zone, normalising out-of-range days the same way (Nov 31 → Dec 1). */
function mktime(t: Tm): number {
  const d = new Date(t.year, t.month, t.mday, t.hour, t.minute, t.second, 0);
  if (t.year >= 0 && t.year < 100) d.setFullYear(t.year, t.month, t.mday);
  return d.getTime();
}

/**
 * Epoch seconds for a `--begin`/`--deadline` value, in the local time zone, relative to `now`.
 * Forms (keywords case-insensitive): `now[+|-]N[seconds|minutes|hours|days|weeks]` (full words only,
 * blanks allowed), `today tomorrow midnight noon fika teatime` (no `elevenses` in 22.05),
 * `HH:MM[:SS][ ][AM|PM]` (not later today → tomorrow), `MMDD[YY]`, `MM/DD[/YY]`, `MM.DD[.YY]`,
 * `YYYY-MM-DD`, combined with `T`, `-` or blanks (`2030-01-20T10:30`, `12/25-10:30`, `tomorrow 10:00`),
 * a date without a year is this year unless already past, and `uts<epoch>` (≥ 1000000).
 * `past` is parse_time()'s past flag (sacct): times of day today, dates without a year not in the future.
 *
 * Failure, as sbatch shows it: stderr `Invalid time specification (pos=N): <text>` (exactly `message`,
 * no prefix) then `sbatch: error: Invalid --begin specification`, exit 255. When nothing usable was
 * given (`""`, `" "`, `"T"`, `"-"`), parse_time() prints nothing: the error is `silent` and only the
 * `Invalid --begin specification` line appears.
 */
/**
 * The items of the forms clients pass in loops (`now`, `now-2hours`,
 * `2026-11-28T21:00`, `1970-01-01-00:00:01`), read without loading the grammar;
 * undefined for anything else (and for out-of-range values, whose error the
 * grammar words).
 */
function commonItems(text: string): DateItem[] | undefined {
  const now = /^now(?:([+-])(\d{1,9})(seconds?|minutes?|hours?|days?|weeks?)?)?$/i.exec(text);
  if (now) {
    const unit = now[3] ? (`${now[3].toLowerCase().replace(/s$/, '')}s` as DateUnit) : null;
    return [{ kind: 'now', sign: now[1] === '-' ? -1 : 1, digits: now[2] ?? '0', unit }];
  }
  const iso = /^(\d{4})-(\d\d)-(\d\d)(?:[T-](\d\d):(\d\d)(?::(\d\d))?)?$/.exec(text);
  if (!iso) return undefined;
  const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const items: DateItem[] = [{ kind: 'date', iso: true, year, month, day }];
  if (iso[4] !== undefined) {
    const [hour, minute, second] = [Number(iso[4]), Number(iso[5]), Number(iso[6] ?? 0)];
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    items.push({ kind: 'clock', hour, minute, second });
  }
  return items;
}

export function parseDateTime(text: string, now: Date, options: { past?: boolean } = {}): Result<number> {
  const bad = (pos: number): Result<number> =>
    fail(`Invalid time specification (pos=${pos}): ${text}`, Math.max(1, pos + 1));
  const nowMs = now.getTime();
  if (text.length >= 3 && text.slice(0, 3).toLowerCase() === 'uts') {
    const n = cnumSyntax(text.slice(3));
    if (!n.ok) return bad(0);
    const v = longOf(n.value);
    return v < 1000000n || v === LONG_MAX ? bad(0) : ok(Number(v));
  }
  // parse_time() stops reading at a newline
  const nl = text.indexOf('\n');
  const common = commonItems(text);
  // (literal results: the grammar bundle's ok() would load it)
  const scanned = common ? { ok: true as const, value: { items: common } } : dateSyntax(nl >= 0 ? text.slice(0, nl) : text);
  if (!scanned.ok) return bad(scanned.pos);

  const cur = tmOf(nowMs);
  let hour = -1;
  let minute = -1;
  let second = 0;
  let month = -1;
  let mday = -1;
  let year = -1;
  const setDate = (t: Tm): void => {
    month = t.month;
    mday = t.mday;
    year = t.year;
  };
  for (const item of scanned.value.items as DateItem[]) {
    switch (item.kind) {
      case 'keyword':
        if (item.keyword === 'today') setDate(cur);
        else if (item.keyword === 'tomorrow') setDate(tmOf(nowMs + 86400000));
        else {
          hour = KEYWORD_HOUR[item.keyword];
          minute = 0;
          second = 0;
        }
        break;
      case 'now': {
        const delta = Number(item.digits) * (item.unit ? UNIT_SECONDS[item.unit] : 1) * item.sign;
        const later = tmOf(nowMs + delta * 1000);
        setDate(later);
        hour = later.hour;
        minute = later.minute;
        second = later.second;
        break;
      }
      case 'clock':
        hour = item.hour;
        minute = item.minute;
        second = item.second;
        break;
      case 'date':
        month = item.month - 1;
        mday = item.day;
        // a 2-digit year of 00 counts as "no year"; the ISO form always sets it
        if (item.iso) year = item.year;
        else if (item.year) year = 2000 + item.year;
        break;
    }
  }

  if (hour === -1 && month === -1) {
    return { ok: false, error: { message: 'no date or time given', column: 1, silent: true } };
  }
  if (hour === -1) {
    hour = 0;
    minute = 0;
  } else if (month === -1) {
    const today = options.past || hour > cur.hour || (hour === cur.hour && minute > cur.minute);
    setDate(today ? cur : tmOf(nowMs + 86400000));
  }
  if (year === -1) {
    if (options.past) {
      year = month > cur.month ? cur.year - 1 : cur.year;
    } else {
      const later =
        month > cur.month ||
        (month === cur.month && mday > cur.mday) ||
        (month === cur.month && mday === cur.mday && hour > cur.hour) ||
        (month === cur.month && mday === cur.mday && hour === cur.hour && minute > cur.minute);
      year = later ? cur.year : cur.year + 1;
    }
  }
  const ms = mktime({ year, month, mday, hour, minute, second });
  if (!Number.isFinite(ms)) return bad(nl >= 0 ? nl : text.length);
  return { ok: true, value: Math.floor(ms / 1000) };
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DDTHH:MM:SS` in the local time zone (scontrol/squeue/sacct `%FT%T`). */
export function formatIsoLocal(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
