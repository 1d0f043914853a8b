/**
 * Replays a recorded sbatch call through our front end: same argv, same
 * environment, same working directory and script, same job id and clock.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSlurmConf, type ClusterConfig } from '../../src/cluster/slurm-conf.js';
import { showJob } from '../../src/format/scontrol/show-job.js';
import { prepareSubmission, type Prepared } from '../../src/submit/prepare.js';
import { statusAtSubmit } from '../../src/spec/submit-status.js';
import { FIXTURES, inTimeZone, RECORDED_TZ, scriptBytes, type OracleRecording } from './oracle.js';

export function oracleCluster(): ClusterConfig {
  const r = parseSlurmConf(readFileSync(join(FIXTURES, 'oracle', 'slurm.conf'), 'utf8'));
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

export const ROOT_IDENTITY = { userId: 0, userName: 'root', groupId: 0, groupName: 'root', submitHost: 'localhost' };

/** Put the case's script where the recording had it (the recorder's work dir). */
export function stageScript(rec: OracleRecording): void {
  mkdirSync(rec.cwd, { recursive: true });
  if (rec.case.script && !rec.case.stdin) copyFileSync(join(FIXTURES, 'scripts', rec.case.script), join(rec.cwd, basename(rec.case.script)));
}

/** Our front end on a recorded submission, in the recording's time zone and at its submit time. */
export function replay(rec: OracleRecording, cluster: ClusterConfig): Prepared {
  return inTimeZone(RECORDED_TZ, () => prepare(rec, cluster));
}

function prepare(rec: OracleRecording, cluster: ClusterConfig): Prepared {
  stageScript(rec);
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: '/root', USER: 'root', ...(rec.case.env ?? {}) };
  for (const [k, v] of Object.entries(env)) env[k] = v.replace(/\{(DEP\d+)\}/g, (_, d: string) => String(rec.deps[d]));
  return prepareSubmission(
    {
      argv: rec.argv.slice(1),
      env,
      cwd: rec.cwd,
      now: rec.submitTime ? new Date(rec.submitTime * 1000) : new Date(),
      readStdin: () => (rec.case.stdin ? scriptBytes(rec.case) : Buffer.alloc(0)),
    },
    cluster,
    ROOT_IDENTITY,
    rec.jobId ?? 0,
  );
}

/** Our `scontrol show job -o` line for a replayed held/pending submission. */
export function replayLine(rec: OracleRecording, cluster: ClusterConfig): string | Prepared {
  return inTimeZone(RECORDED_TZ, () => showReplayed(rec, cluster));
}

function showReplayed(rec: OracleRecording, cluster: ClusterConfig): string | Prepared {
  const p = prepare(rec, cluster);
  if (p.kind !== 'job') return p;
  const known = new Set(Object.values(rec.deps));
  const status = statusAtSubmit(p.job, cluster, {
    now: rec.submitTime ?? 0,
    priority: 0,
    jobExists: (id) => known.has(id),
    isArrayJob: (id) => Object.entries(rec.deps).some(([d, v]) => v === id && (rec.case as { parentArgs?: Record<string, string[]> }).parentArgs?.[d]?.some((a) => a.startsWith('--array'))),
    allocNode: 'localhost',
    allocSid: 0,
  });
  return showJob(p.job, status, true);
}
