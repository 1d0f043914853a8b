/**
 * `scontrol update JobId=N Key=Value...`: what each change does to a job,
 * decided without I/O. The result is the new record and the stored fields
 * that change with it; Redis applies it atomically (src/store/lua/update-4.lua).
 */
import type { JobRecord } from '../job/job.js';
import { parseDateTime, parseDependency, parseTimeLimit } from '../job/values/index.js';
import type { ClusterConfig } from '../cluster/slurm-conf.js';
import type { FlowConfig } from '../cluster/flow-config.js';
import { providerRefusal } from '../job/provider-route.js';
import { initialFields } from './stored-job.js';
import type { StoredJob } from '../job/job-run.js';

export type UpdatePlan =
  | { ok: true; record: JobRecord; fields: Record<string, string | number>; pendingOnly: boolean }
  | { ok: false; message: string };

const PENDING_ONLY = new Set(['partition', 'numnodes', 'minnodes', 'numtasks', 'dependency', 'starttime', 'begintime',
  'features', 'exclude', 'excnodelist', 'reqnodelist', 'nodelist', 'qos', 'account', 'minmemorynode', 'minmemorycpu']);

const isPending = (j: StoredJob) => j.state === 'PENDING';

export function planUpdate(job: StoredJob, pairs: [string, string][], cluster: ClusterConfig, now: Date, operator: boolean, flow: FlowConfig = {}): UpdatePlan {
  const r: JobRecord = { ...job.record };
  const next: StoredJob = { ...job, record: r };
  const fail = (message: string): UpdatePlan => ({ ok: false, message });
  let pendingOnly = false;
  for (const [rawKey, value] of pairs) {
    const key = rawKey.toLowerCase();
    if (PENDING_ONLY.has(key)) {
      if (!isPending(job)) return fail('Job is no longer pending execution');
      pendingOnly = true;
    }
    switch (key) {
      case 'timelimit': {
        const rel = /^([+-])(.*)$/.exec(value);
        const t = parseTimeLimit(rel ? rel[2]! : value);
        if (!t.ok) return fail('Invalid TimeLimit value');
        let limit = t.value;
        if (rel) {
          if (limit === 'UNLIMITED' || r.timeLimit === 'UNLIMITED') return fail('Invalid TimeLimit value');
          limit = rel[1] === '+' ? r.timeLimit + limit : Math.max(0, r.timeLimit - limit);
        }
        // only an operator may raise a limit, or change it once the job runs
        if (!operator && (!isPending(job) || limit === 'UNLIMITED' || (r.timeLimit !== 'UNLIMITED' && limit > r.timeLimit))) {
          return fail('Access/permission denied');
        }
        r.timeLimit = limit;
        break;
      }
      case 'partition': {
        const part = cluster.partitions.find((p) => p.name === value);
        if (!part) return fail('Invalid partition name specified');
        // a job moved to a partition whose provider cannot run it would otherwise run locally
        const refused = providerRefusal(value, flow, {}, { batch: !r.interactive, env: process.env });
        if (refused) return fail(refused);
        r.partition = value;
        break;
      }
      case 'numnodes':
      case 'minnodes': {
        const m = /^(\d+)(?:-(\d+))?$/.exec(value);
        if (!m || Number(m[1]) < 1) return fail('Invalid node count specified');
        r.minNodes = Number(m[1]);
        r.maxNodes = m[2] ? Number(m[2]) : key === 'numnodes' ? r.minNodes : r.maxNodes;
        r.nodeCountGuess = r.minNodes;
        r.nodesSet = true;
        break;
      }
      case 'numtasks': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) return fail('Invalid task count specified');
        r.numTasks = n;
        r.ntasksSet = true;
        r.minCpus = Math.max(r.minCpus, n * r.cpusPerTask);
        break;
      }
      case 'dependency': {
        if (value === '' || value === '0') {
          delete r.dependency;
          next.dependency = null;
          break;
        }
        const d = parseDependency(value);
        if (!d.ok) return fail('Job dependency problem');
        r.dependency = value;
        next.dependency = value;
        break;
      }
      case 'name':
      case 'jobname':
        r.name = value;
        break;
      case 'comment':
        r.comment = value;
        break;
      case 'nice': {
        const n = Number(value);
        if (!Number.isInteger(n) || Math.abs(n) > 2147483645) return fail('Invalid nice value');
        if (n < 0 && !operator) return fail('Access/permission denied');
        // 0: held since submission, numbered when released
        if (next.basePriority !== 0) next.basePriority = Math.max(1, next.basePriority + r.nice - n);
        if (job.held === '') next.priority = next.basePriority;
        r.nice = n;
        break;
      }
      case 'priority': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) return fail('Invalid priority value');
        if (!operator) return fail('Access/permission denied');
        r.priority = n;
        next.basePriority = n;
        next.priority = n;
        // priority 0 is a hold; any other releases one
        if (n === 0) {
          next.held = 'admin';
          next.reason = 'JobHeldAdmin';
        } else if (job.held !== '') {
          next.held = '';
          next.reason = 'None';
        }
        break;
      }
      case 'starttime':
      case 'begintime': {
        const t = parseDateTime(value, now);
        if (!t.ok) return fail('Invalid StartTime value');
        r.beginTime = t.value;
        next.eligible = t.value;
        break;
      }
      case 'arraytaskthrottle': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) return fail('Invalid ArrayTaskThrottle value');
        if (r.arraySpec === undefined) return fail('Job is not an array job');
        r.arrayThrottle = n;
        break;
      }
      case 'features':
        r.features = value || undefined;
        break;
      case 'excnodelist':
      case 'exclude':
        r.excNodes = value || undefined;
        break;
      case 'reqnodelist':
      case 'nodelist':
        r.reqNodes = value || undefined;
        break;
      case 'qos':
        r.qos = value || undefined;
        break;
      case 'account':
        r.account = value || undefined;
        break;
      case 'requeue':
        r.requeue = value === '1' || value.toLowerCase() === 'yes';
        break;
      case 'workdir':
        r.workDir = value;
        break;
      default:
        return fail(`Update of this parameter is not supported: ${rawKey}=${value}`);
    }
  }
  // the record's listed fields, and of the changing ones only those this update touched
  const all = initialFields(next);
  const before = initialFields(job);
  const fields = Object.fromEntries(Object.entries(all).filter(([k, v]) => k.startsWith('r.') || before[k] !== v));
  return { ok: true, record: r, fields, pendingOnly };
}
