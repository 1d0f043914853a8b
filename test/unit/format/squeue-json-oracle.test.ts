/**
 * `squeue --json` of every accepted submission recorded from real Slurm 22.05.8
 * (fixtures/oracle/parse, scripts/record-oracle.sh, `squeueJson`): the job's
 * request as slurmctld keeps it (node lists compressed, node count and range,
 * tasks, CPUs, sockets/cores/threads, TRES) must read the same from our record.
 */
import { describe, expect, it } from 'vitest';
import type { StoredJob } from '../../../src/job/job-run.js';
import { squeueJson } from '../../../src/format/squeue/json.js';
import { recordings } from '../../helpers/oracle.js';
import { oracleCluster, replay, stagedDir } from '../../helpers/replay.js';

const FIELDS = ['required_nodes', 'excluded_nodes', 'features', 'node_count', 'max_nodes', 'tasks', 'cpus', 'tasks_per_node',
  'minimum_cpus_per_node', 'sockets_per_node', 'cores_per_socket', 'threads_per_core', 'tasks_per_socket', 'tasks_per_core',
  'tres_req_str', 'partition', 'account', 'qos', 'time_limit', 'current_working_directory'];

const cluster = oracleCluster();
type Json = Record<string, unknown>;
const cases = recordings('parse').flatMap((rec) => {
  const theirs = (rec as unknown as { squeueJson?: Json[] }).squeueJson?.find((j) => j.job_id === rec.jobId);
  // array records and heterogeneous jobs are other shapes
  return theirs && !theirs.array_job_id && !theirs.het_job_id && rec.case.name !== 'hetjob' ? [[rec.case.name, rec, theirs] as const] : [];
});

function pendingJson(rec: Parameters<typeof replay>[0]): Json {
  const p = replay(rec, cluster);
  if (p.kind !== 'job') throw new Error(`refused: ${JSON.stringify(p)}`);
  const job: StoredJob = {
    record: p.job, state: 'PENDING', reason: 'None', priority: 1, basePriority: 1, held: p.job.held ? 'user' : '', eligible: 0,
    start: 0, end: 0, lastSchedEval: 0, exit: '0:0', restarts: 0, run: 0, nodes: '', alloc: [], batchHost: '', sup: '', cancelBy: '',
    dependency: null, tasks: '', submit: 0, history: [],
  };
  const text = squeueJson([job], { clusterName: 'oracle', nodes: cluster.nodes, now: rec.submitTime ?? 0, gpuTres: false, withDbd: false });
  // the replay ran in our staged copy of the recording's work directory: its paths written as the recording's
  const staged = stagedDir(rec.cwd);
  const out = JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' ? v.replaceAll(staged, rec.cwd) : v));
  return out.jobs[0] as Json;
}

describe('squeue --json of a pending job against real Slurm recordings', () => {
  it('has at least 100 recorded jobs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });

  it.each(cases)('%s', (_name, rec, theirs) => {
    const ours = pendingJson(rec);
    for (const f of FIELDS) expect({ field: f, value: ours[f] }).toEqual({ field: f, value: theirs[f] });
  });
});
