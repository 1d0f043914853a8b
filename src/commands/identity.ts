/** Who is submitting, from where: user, group and host names as Slurm records them. */
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Identity } from '../submit/prepare.js';

function groupName(gid: number): string {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (id !== undefined && Number(id) === gid && name) return name;
    }
  } catch {
    // no /etc/group: fall through to the number
  }
  return String(gid);
}

export function currentIdentity(): Identity {
  const u = userInfo();
  const gid = typeof process.getgid === 'function' ? process.getgid() : u.gid;
  return { userId: u.uid, userName: u.username, groupId: gid, groupName: groupName(gid), submitHost: hostname().split('.')[0]!, allocSid: process.ppid };
}
