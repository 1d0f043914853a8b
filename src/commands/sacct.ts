/**
 * sacct: every job the cluster accepted (finished ones too, long after squeue
 * forgets them), each run of a requeued job, and their steps, filtered,
 * selected and printed as Slurm 22.05 with slurmdbd prints them.
 */
import { jobsVisibleOnlyTo } from '../cluster/access.js';
import { loadCluster } from '../cluster/load.js';
import { helpFormat } from '../format/sacct/fields.js';
import { jsonText } from '../format/sacct/json.js';
import { headerText, rowText } from '../format/sacct/print.js';
import { eachRow, eachRun, selectRuns, type AcctQuery } from '../format/sacct/rows.js';
import { expandHostlist, parseDateTime } from '../job/values/index.js';
import type { AcctSource } from '../client/redis-acct-source.js';
import { AcctLines } from '../format/sacct/lines.js';
import type { IO } from './io.js';
import { HELP_TEXT, USAGE_TEXT } from './sacct-help.js';
import { parseSacct, type SacctContext } from './sacct-options.js';
import { lookupGroup, lookupUser, userName } from './users.js';

/** -S/-E: parse_time() with its past flag; a failure that printed nothing leaves no time. */
function parseTime(text: string, now: Date): ReturnType<SacctContext['parseTime']> {
  const r = parseDateTime(text, now, { past: true });
  if (r.ok) return { ok: true, value: r.value };
  return { ok: false, message: r.error.silent ? undefined : r.error.message };
}

export async function sacct(argv: string[], io: IO, source: AcctSource): Promise<number> {
  const nowDate = io.now();
  const now = Math.floor(nowDate.getTime() / 1000);
  const loaded = loadCluster(io.env);
  if (!loaded.ok) {
    io.stderr(`sacct: error: ${loaded.message}\n`);
    return 1;
  }
  const config = loaded.cluster.config;
  const parsed = parseSacct(argv, {
    env: io.env,
    now,
    uid: io.uid ?? process.getuid?.() ?? 0,
    accounting: config.accountingStorageType !== 'accounting_storage/none',
    parseTime: (text) => parseTime(text, nowDate),
    uidOf: lookupUser,
    gidOf: lookupGroup,
  });
  if (parsed.kind === 'print') {
    if (parsed.stdout) io.stdout(parsed.stdout);
    if (parsed.stderr) io.stderr(parsed.stderr);
    return parsed.code;
  }
  if (parsed.kind === 'help') {
    io.stdout(parsed.which === 'help' ? HELP_TEXT : parsed.which === 'usage' ? USAGE_TEXT : helpFormat());
    return 0;
  }
  if (parsed.warnings) io.stderr(parsed.warnings);
  const req = parsed.request;

  let nodes: Set<string> | undefined;
  if (req.nodes !== undefined) {
    const list = expandHostlist(req.nodes);
    nodes = new Set(list.ok ? list.value : []);
  }
  // PrivateData=jobs: another user's jobs are not there for a plain user, whatever -u or -a say
  const only = jobsVisibleOnlyTo(io.uid ?? process.getuid?.() ?? 0, config);
  const users = only === undefined ? req.users : new Set([...(req.users ?? [only])].filter((u) => u === only));
  const query: AcctQuery = {
    now,
    selectors: req.selectors,
    window: req.window,
    states: req.states,
    users,
    groups: req.groups,
    accounts: req.accounts,
    partitions: req.partitions,
    names: req.names,
    qos: req.qos,
    wckeys: req.wckeys,
    nodes,
    duplicates: req.duplicates,
    allocations: req.allocations,
  };
  // -M names other clusters only: slurmdbd has no jobs of theirs here
  const ours = !req.clusters || req.clusters.has(config.clusterName);
  const jobs = ours ? await source.lines(loaded.cluster, req.selectors?.map((s) => s.id)) : AcctLines.fromLines([], new Map());
  if (req.json) {
    const runs = selectRuns(jobs, query).map((r) => r.run);
    io.stdout(jsonText(runs, { now, cluster: config.clusterName, userName, allocations: req.allocations }));
    return 0;
  }
  const print = { now, cluster: config.clusterName, units: req.units };
  let out = req.header ? headerText(req.columns, req.mode) : '';
  let lines = 0;
  // written in chunks as the rows come: nothing per row outlives its chunk
  eachRun(jobs, query, (run, selected) => eachRow(run, selected, query, (row) => {
    out += rowText(row, req.columns, req.mode, print);
    if (++lines % 512 === 0) {
      io.stdout(out);
      out = '';
    }
  }));
  if (out) io.stdout(out);
  return 0;
}
