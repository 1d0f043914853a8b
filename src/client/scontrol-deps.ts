/**
 * What scontrol asks of Redis and of the controller (hold, release, update,
 * requeue, shutdown), as the calling user: the same whether scontrol runs in
 * its own process or the controller answers for it (src/served).
 */
import type { ScontrolDeps } from '../commands/scontrol.js';
import type { Env } from '../store/connect.js';
import { stopController } from './controllers.js';
import type { RedisJobSource } from './redis-job-source.js';
import { Session } from './session.js';
import { readControllerView } from './held-resources.js';
import { callerOf } from '../cluster/access.js';
import { refusal, SCRIPT_CODES } from '../store/slurm-errors.js';
import { planUpdate } from '../store/job-update.js';
import { pastRun, requeueDelay } from '../store/requeue.js';

export function scontrolDeps(source: RedisJobSource, uid: number, env: Env): ScontrolDeps {
  return {
    source,
    view: async (cluster) => readControllerView(await source.open(cluster), cluster.config.firstJobId),
    hold: async (cluster, jobId, kind) => {
      const s = await source.open(cluster);
      const by = callerOf(uid, cluster.config);
      return kind === 'release' ? s.scripts.release(jobId, by) : s.scripts.hold(jobId, kind, by);
    },
    update: async (cluster, jobId, pairs) => {
      const s = await source.open(cluster);
      const by = callerOf(uid, cluster.config);
      // planned on the record as read; planned again if it changed meanwhile
      for (let attempt = 0; attempt < 5; attempt++) {
        const job = await s.job(jobId);
        if (!job) return refusal('update', SCRIPT_CODES.NO_SUCH_JOB)!.message;
        // someone else's job is refused before its changes are judged (the script checks again, with the change)
        if (!by.any && job.record.userId !== uid) return refusal('update', SCRIPT_CODES.ACCESS_DENIED)!.message;
        const plan = planUpdate(job, pairs, cluster.config, new Date(), by.any, cluster.flow);
        if (!plan.ok) return plan.message;
        const r = await s.scripts.update(jobId, JSON.stringify(job.record), JSON.stringify(plan.record), plan.fields, plan.pendingOnly, by);
        if (r === 1) return undefined;
        const refused = refusal('update', r);
        if (refused) return refused.message;
      }
      return 'Job is being updated by someone else';
    },
    shutdown: async (cluster) => {
      // without starting a controller to stop
      const s = await Session.open(cluster, env, { controller: false });
      try {
        const r = await stopController(s.redis, cluster.config.clusterName);
        return 'stuck' in r ? { stuck: `pid ${r.stuck.pid} on ${r.stuck.host}` } : 'none' in r ? r : { stopped: true };
      } finally {
        await s.close();
      }
    },
    requeue: async (cluster, job, held) => {
      const s = await source.open(cluster);
      const now = Math.floor(Date.now() / 1000);
      return s.scripts.requeue(job.record.jobId, now, now + requeueDelay(await s.timeScale()), pastRun(job, now), callerOf(uid, cluster.config), held ?? '');
    },
  };
}
