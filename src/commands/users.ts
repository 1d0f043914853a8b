/** User and group names and ids from /etc/passwd and /etc/group (as getpwnam/getgrnam would), for filters. */
import { readFileSync } from 'node:fs';

const tables = new Map<string, Map<string, number>>();

/** name -> id of an /etc/passwd-style file (name:x:id:...). */
function table(path: string): Map<string, number> {
  let t = tables.get(path);
  if (t) return t;
  t = new Map();
  tables.set(path, t);
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && !t.has(name)) t.set(name, Number(id));
    }
  } catch {
    // no such file: only numeric ids work
  }
  return t;
}

/** A user name or numeric uid to a uid; undefined if unknown. */
export function lookupUser(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  return table('/etc/passwd').get(text);
}

/** A group name or numeric gid to a gid; undefined if unknown. */
export function lookupGroup(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  return table('/etc/group').get(text);
}

/** A uid's user name (the uid itself when it has none). */
export function userName(uid: number): string {
  for (const [name, id] of table('/etc/passwd')) if (id === uid) return name;
  return String(uid);
}
