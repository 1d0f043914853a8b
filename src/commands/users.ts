/** User names and ids from /etc/passwd (as getpwnam would), for -u filters. */
import { readFileSync } from 'node:fs';

let table: Map<string, number> | undefined;

function users(): Map<string, number> {
  if (table) return table;
  table = new Map();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid !== undefined) table.set(name, Number(uid));
    }
  } catch {
    // no passwd file: only numeric ids work
  }
  return table;
}

/** A user name or numeric uid to a uid; undefined if unknown. */
export function lookupUser(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  return users().get(text);
}
