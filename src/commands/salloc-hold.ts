/**
 * salloc --no-shell: salloc exits at once and the allocation stays RUNNING
 * (fixtures/oracle/salloc/no-shell.json) until scancel or its time limit.
 * Here a job needs a process that stands for it (the one scancel signals):
 * salloc starts a detached stand-in (itself, with FLOW_SALLOC_HOLD=<job id>),
 * hands the job over to it, and exits. The stand-in ends the job CANCELLED
 * when scancel's SIGTERM comes, TIMEOUT at the time limit, and exits when the
 * job has ended any other way.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadCluster } from '../cluster/load.js';
import { Session } from '../client/session.js';
import type { StoredJob } from '../job/job-run.js';
import { FINAL_STATES } from '../job/job-states.js';
import { limitMs } from '../job/job.js';
import { packageRoot } from '../package-root.js';
import type { Voice } from './allocation.js';
import type { IO } from './io.js';

export const HOLD_VARIABLE = 'FLOW_SALLOC_HOLD';
const POLL_MS = 5000;
const now = () => Math.floor(Date.now() / 1000);

/** In salloc: start the stand-in and give it the job; salloc's exit code (0). */
export async function holdAllocation(s: Session, job: StoredJob, io: IO, voice: Voice): Promise<number> {
  const jobId = job.record.jobId;
  const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'salloc')], {
    env: { ...io.env, [HOLD_VARIABLE]: String(jobId) }, cwd: io.cwd, detached: true, stdio: 'ignore',
  });
  child.unref();
  if (child.pid === undefined || (await s.scripts.handover(jobId, job.run, process.pid, child.pid)) !== 1) {
    voice.error(`Unable to keep job allocation ${jobId}`);
    return 1;
  }
  return 0;
}

/** The stand-in: wait for scancel (SIGTERM), the time limit, or the job's end. */
export async function standIn(io: IO): Promise<number> {
  const jobId = Number(io.env[HOLD_VARIABLE]);
  const loaded = loadCluster(io.env);
  if (!loaded.ok || !(jobId > 0)) return 1;
  const s = await Session.open(loaded.cluster, io.env, { controller: false });
  try {
    const scale = await s.timeScale();
    const job = await s.job(jobId);
    if (!job) return 1;
    const limit = job.record.timeLimit;
    const deadline = job.start * 1000 + limitMs(limit, scale);
    let cancelled = false;
    let wake: () => void = () => undefined;
    const onTerm = () => {
      cancelled = true;
      wake();
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', () => undefined);
    for (;;) {
      const current = await s.job(jobId);
      if (!current || FINAL_STATES.has(current.state)) return 0;
      if (cancelled || Date.now() >= deadline) {
        const timeout = !cancelled;
        await s.scripts.finish(jobId, current.run, timeout ? 'TIMEOUT' : 'CANCELLED', timeout ? 'TimeLimit' : 'None', '0:0', now());
        return 0;
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      });
    }
  } finally {
    await s.close();
  }
}
