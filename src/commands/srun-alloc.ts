/**
 * srun outside an allocation: it asks for one itself (allocation.ts), with
 * sbatch's options, runs step 0 in it, and ends the job with the step's
 * outcome.
 */
import { basename } from 'node:path';
import { Session } from '../client/session.js';
import { FINAL_STATES } from '../job/job-states.js';
import { limitMs } from '../job/job.js';
import { ensureNodesResolve, hostsPolicy } from '../providers/local/node-hosts.js';
import type { StepResult, StepRun } from '../steps/launch.js';
import type { TaskEnd } from '../steps/exit-report.js';
import { allocationRecord, clusterFor, recordRefused, submitAllocation, voiceOf, waitForAllocation } from './allocation.js';
import type { IO } from './io.js';
import type { SrunOptions } from './srun-options.js';
import { allocationVars, cancelOnJobEnd, runStep } from './srun-step.js';

const now = () => Math.floor(Date.now() / 1000);

/**
 * How srun's own job ends (srun tells slurmctld the tasks' raw wait status,
 * src/srun/srun_job.c fini_srun): CANCELLED when srun gave the step up (a
 * second Ctrl-C, SIGTERM), FAILED JobLaunchFailure `0:<signal>` when a task
 * was killed, FAILED NonZeroExitCode `<code>:0`, else COMPLETED.
 */
function allocationEnd(code: number, result: StepResult | undefined): { state: string; reason: string; exit: string } {
  if (result?.cancelled) return { state: 'CANCELLED', reason: 'None', exit: '0:0' };
  const worst = result?.ends.reduce<TaskEnd | undefined>((w, e) => (!w || endCode(e) > endCode(w) ? e : w), undefined);
  if (worst && worst.signal !== null && endCode(worst) === code) return { state: 'FAILED', reason: 'JobLaunchFailure', exit: `0:${worst.signal}` };
  return code === 0 ? { state: 'COMPLETED', reason: 'None', exit: '0:0' } : { state: 'FAILED', reason: 'NonZeroExitCode', exit: `${code}:0` };
}

const endCode = (e: TaskEnd) => (e.signal !== null ? 128 + e.signal : e.code ?? 0);

export async function srunAllocation(o: SrunOptions, io: IO): Promise<number> {
  const voice = voiceOf('srun', io);
  const cluster = clusterFor(io, voice);
  if (!cluster) return 1;
  const program = o.command[0]!;
  const built = allocationRecord({ cmd: 'srun', resolution: o.resolution, request: o.request, defaultName: basename(program), command: program }, io, cluster.config, cluster.flow);
  if (!built.ok) {
    if (built.refused) await recordRefused(io, cluster, built.refused.job, built.refused.submission);
    for (const e of built.errors) voice.error(e);
    return 1;
  }
  const jobId = await submitAllocation(io, cluster, built.job, built.submission);

  const s = await Session.open(cluster, io.env);
  try {
    const waited = await waitForAllocation(s, jobId, io, { cmd: 'srun', voice });
    if (!waited.ok) return waited.exit;
    const job = waited.job;
    await ensureNodesResolve(cluster.config.nodes.map((n) => n.name), (line) => io.stderr(`${line}\n`), hostsPolicy(io.env, cluster.flow));

    const r = job.record;
    const scale = await s.timeScale();
    const killWait = Number(cluster.config.settings.get('killwait') ?? 30);
    const killAfter = Math.max(1, Math.round(killWait * scale));
    let ending: 'cancel' | 'timeout' | undefined;
    let result: StepResult | undefined;
    let timer: NodeJS.Timeout | undefined;
    const options: SrunOptions = { ...o, request: { ...o.request, nodes: o.request.nodes ?? { min: job.alloc.length, max: job.alloc.length } } };
    const code = await runStep({
      session: s, job, options, io, killWait, killAfter,
      allocation: allocationVars(cluster, job, io),
      onRun: (run: StepRun) => {
        const ms = limitMs(r.timeLimit, scale);
        if (ms !== Infinity) {
          timer = setTimeout(() => {
            ending ??= 'timeout';
            run.terminate(' DUE TO TIME LIMIT');
          }, ms);
        }
      },
      onResult: (r) => {
        result = r;
      },
      // scancel of srun's job reaches srun as SIGTERM: the step is cancelled, not forced
      intercept: cancelOnJobEnd(s, job, scale, (why) => {
        if (why === 'cancel') ending ??= 'cancel';
      }),
    });
    clearTimeout(timer);
    const end = ending === 'timeout' ? { state: 'TIMEOUT', reason: 'TimeLimit', exit: '0:15' }
      : ending === 'cancel' ? { state: 'CANCELLED', reason: 'None', exit: '0:15' }
        : allocationEnd(code, result);
    const current = await s.job(jobId);
    if (current && !FINAL_STATES.has(current.state)) await s.scripts.finish(jobId, current.run, end.state, end.reason, end.exit, now());
    return code;
  } finally {
    await s.close();
  }
}
