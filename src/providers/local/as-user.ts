/**
 * A controller running as root opens a job's output files as the job's owner,
 * as slurmstepd does after dropping privileges: the files belong to the user,
 * and a path the user may not write (another user's file, /etc/...) fails the
 * launch instead of being written by root. The effective ids are switched for
 * the synchronous opens only and switched back before anything else runs.
 */
export function asJobUser<T>(user: { uid: number; gid: number; name: string }, fn: () => T): T {
  const p = process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void };
  if (p.geteuid?.() !== 0 || user.uid === 0 || !p.seteuid || !p.setegid || !p.getgroups || !p.setgroups || !p.initgroups) return fn();
  const groups = p.getgroups();
  const egid = p.getegid!();
  try {
    p.initgroups(user.name, user.gid);
  } catch {
    p.setgroups([user.gid]); // a uid without a passwd entry: its own group only
  }
  p.setegid(user.gid);
  p.seteuid(user.uid);
  try {
    return fn();
  } finally {
    p.seteuid(0);
    p.setegid(egid);
    p.setgroups(groups);
  }
}
