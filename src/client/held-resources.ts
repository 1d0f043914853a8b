/**
 * What the controller's jobs hold, as sinfo and `scontrol show node|config`
 * need it: the jobs in the running set with their allocations (two round
 * trips on the light RESP client), and the next job id.
 */
import type { HeldResources } from '../cluster/node-view.js';
import type { Session } from './session.js';

export interface ControllerView {
  held: HeldResources[];
  /** the id the next submission gets (scontrol show config NEXT_JOB_ID) */
  nextJobId: number;
}

export async function readControllerView(s: Session, firstJobId: number): Promise<ControllerView> {
  const [ids, last] = (await s.redis.pipeline([['SMEMBERS', s.keys.running], ['GET', s.keys.nextJobId]])) as [string[] | Error, string | null];
  if (ids instanceof Error) throw ids;
  const replies = ids.length ? await s.redis.pipeline(ids.map((id) => ['HMGET', s.keys.job(Number(id)), 'state', 'alloc'])) : [];
  const held: HeldResources[] = [];
  for (const r of replies) {
    if (!Array.isArray(r)) continue;
    const [state, alloc] = r as (string | null)[];
    if (!state || !alloc) continue;
    try {
      held.push({ state, alloc: JSON.parse(alloc) as HeldResources['alloc'] });
    } catch {
      // a record being written: counted on the next look
    }
  }
  return { held, nextJobId: last !== null && /^\d+$/.test(String(last)) ? Number(last) + 1 : firstJobId };
}
