/**
 * Replays a recorded sbatch call through our front end: same argv, same
 * environment, same working directory and script, same job id and clock.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseSlurmConf, type ClusterConfig } from '../../src/cluster/slurm-conf.js';
import { showJob } from '../../src/format/scontrol/show-job.js';
import { prepareSubmission, type Prepared } from '../../src/submit/prepare.js';
import { statusAtSubmit } from '../../src/job/submit-status.js';
import { FIXTURES, inTimeZone, RECORDED_TZ, scriptBytes, type OracleRecording } from './oracle.js';

export function oracleCluster(): ClusterConfig {
  const r = parseSlurmConf(readFileSync(join(FIXTURES, 'oracle', 'slurm.conf'), 'utf8'));
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

export const ROOT_IDENTITY = { userId: 0, userName: 'root', groupId: 0, groupName: 'root', submitHost: 'localhost' };

/**
 * This process's own copy of a recorder's work directory (the recorder deletes and refills the
 * real one, and test files running side by side would copy into it at the same time).
 */
const STAGE = mkdtempSync(join(tmpdir(), 'flow-replay-'));
process.on('exit', () => rmSync(STAGE, { recursive: true, force: true }));
export function stagedDir(recordedCwd: string): string {
  const dir = join(STAGE, recordedCwd);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Put the case's script where the recording had it, in our copy of the recorder's work dir. */
function stageScript(rec: OracleRecording): string {
  const cwd = stagedDir(rec.cwd);
  if (rec.case.script && !rec.case.stdin) copyFileSync(join(FIXTURES, 'scripts', rec.case.script), join(cwd, basename(rec.case.script)));
  return cwd;
}

/** Our paths under the staged copy, written as the recording's. */
const asRecorded = (text: string, rec: OracleRecording): string => text.replaceAll(stagedDir(rec.cwd), rec.cwd);

/** Our front end on a recorded submission, in the recording's time zone and at its submit time. */
export function replay(rec: OracleRecording, cluster: ClusterConfig): Prepared {
  const p = inTimeZone(RECORDED_TZ, () => prepare(rec, cluster));
  return p.kind === 'error' ? { ...p, stderr: p.stderr.map((l) => asRecorded(l, rec)) } : p;
}

function prepare(rec: OracleRecording, cluster: ClusterConfig): Prepared {
  const cwd = stageScript(rec);
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: '/root', USER: 'root', ...(rec.case.env ?? {}) };
  for (const [k, v] of Object.entries(env)) env[k] = v.replace(/\{(DEP\d+)\}/g, (_, d: string) => String(rec.deps[d]));
  return prepareSubmission(
    {
      argv: rec.argv.slice(1),
      env,
      cwd,
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
  const line = inTimeZone(RECORDED_TZ, () => showReplayed(rec, cluster));
  return typeof line === 'string' ? asRecorded(line, rec) : line;
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
