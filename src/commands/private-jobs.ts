/**
 * PrivateData=jobs (slurm.conf): what squeue, scontrol show job|step and sacct
 * read goes through this view, which leaves out other users' jobs unless the
 * caller is an operator (cluster/access.ts). As slurmctld does it, a hidden job
 * is as if it did not exist (`squeue -j N`: Invalid job id specified).
 */
import { jobsVisibleOnlyTo } from '../cluster/access.js';
import type { JobSource, ListSource } from './job-source.js';

export function ownJobsView(source: ListSource & JobSource, uid: number): ListSource & JobSource;
export function ownJobsView(source: JobSource, uid: number): JobSource;
export function ownJobsView(source: Partial<ListSource> & JobSource, uid: number): Partial<ListSource> & JobSource {
  const list = source.list?.bind(source);
  return {
    load: async (cluster, ids) => {
      const only = jobsVisibleOnlyTo(uid, cluster.config);
      const jobs = await source.load(cluster, ids);
      return only === undefined ? jobs : jobs.filter((j) => j.record.userId === only);
    },
    steps: (cluster, ids) => source.steps(cluster, ids),
    close: () => source.close(),
    ...(list && {
      list: async (cluster, fields, ids) => {
        const only = jobsVisibleOnlyTo(uid, cluster.config);
        if (only === undefined) return list(cluster, fields, ids);
        const rows = await list(cluster, fields.includes('r.uid') ? fields : [...fields, 'r.uid'], ids);
        return rows.filter((j) => j.num('r.uid') === only);
      },
    }),
  };
}
