/**
 * salloc: take an allocation with sbatch's options (allocation.ts, as srun
 * outside a job does), run the command (or the user's login shell) with the
 * allocation's SLURM_* variables, and release the allocation when the command
 * ends: the job ends with the command's status, and salloc exits with its
 * code. Lines, exit codes and signal handling are salloc 22.05's
 * (src/salloc/salloc.c; recorded in fixtures/oracle/salloc).
 */
import { hostname, userInfo } from 'node:os';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { Session } from '../client/session.js';
import { packageRoot } from '../package-root.js';
import { ensureNodesResolve, hostsPolicy } from '../providers/local/node-hosts.js';
import { srunIsOurs } from '../steps/job-path.js';
import { allocationRecord, clusterFor, recordRefused, submitAllocation, voiceOf, waitForAllocation } from './allocation.js';
import { lines, type IO } from './io.js';
import { HOLD_VARIABLE, holdAllocation, standIn } from './salloc-hold.js';
import { runCommand } from './salloc-run.js';
import { parseSalloc, type SallocOptions } from './salloc-options.js';

/** salloc rings the bell after a wait longer than this (DEFAULT_BELL_DELAY), unless --bell or --no-bell say otherwise. */
const BELL_DELAY_MS = 10_000;

export async function salloc(argv: string[], io: IO): Promise<number> {
  if (io.env[HOLD_VARIABLE] !== undefined) return standIn(io);
  const parsed = parseSalloc(argv, io.env, io.now());
  if (parsed.kind === 'info') {
    io.stdout(parsed.stdout);
    return 0;
  }
  if (parsed.kind === 'error') {
    lines(io.stderr, parsed.stderr);
    return parsed.exit;
  }
  const o = parsed.options;
  const voice = voiceOf('salloc', io, o.quiet);
  if (o.command[0] === ':') {
    voice.error('heterogeneous jobs are not supported by flow-slurm yet');
    return o.errorExit;
  }
  const cluster = clusterFor(io, voice);
  if (!cluster) return o.errorExit;
  // -D: salloc itself moves there first (the command runs there; SLURM_SUBMIT_DIR stays where salloc was started)
  const cwd = o.request.chdir !== undefined ? resolve(io.cwd, o.request.chdir) : io.cwd;
  if (!isDirectory(cwd)) {
    voice.error(`chdir(${o.request.chdir}): No such file or directory`);
    return o.errorExit;
  }
  const built = allocationRecord({ cmd: 'salloc', resolution: o.resolution, request: o.request, defaultName: o.defaultName }, io, cluster.config, cluster.flow);
  if (!built.ok) {
    if (built.refused) await recordRefused(io, cluster, built.refused.job, built.refused.submission);
    for (const e of built.errors) voice.error(e);
    return o.errorExit;
  }
  const began = Date.now();
  const jobId = await submitAllocation(io, cluster, built.job, built.submission);

  const s = await Session.open(cluster, io.env);
  try {
    const waited = await waitForAllocation(s, jobId, io, { cmd: 'salloc', voice, errorExit: o.errorExit, immediateExit: o.immediateExit, immediate: o.immediate });
    if (!waited.ok) return waited.exit;
    voice.info(`Granted job allocation ${jobId}`);
    ringBell(io, o, Date.now() - began);
    if (o.request.noShell) return await holdAllocation(s, waited.job, io, voice);
    await ensureNodesResolve(cluster.config.nodes.map((n) => n.name), (line) => io.stderr(`${line}\n`), hostsPolicy(io.env, cluster.flow));
    const binDir = join(packageRoot(), 'bin');
    return await runCommand({
      session: s, job: waited.job, options: o, io, voice, cwd,
      env: {
        clusterName: cluster.config.clusterName, submitDir: io.cwd, submitHost: hostname(), binDir,
        srunIsOurs: (path) => srunIsOurs(path, binDir, cwd),
      },
      loginShell: userInfo().shell ?? '/bin/sh',
    });
  } finally {
    await s.close();
  }
}

/** --bell always, --no-bell never, otherwise after a long wait; only on a terminal (salloc writes `\a` to stdout). */
function ringBell(io: IO, o: SallocOptions, waitedMs: number): void {
  const bell = o.request.bell;
  if ((bell === true || (bell === undefined && waitedMs > BELL_DELAY_MS)) && isatty(1)) io.stdout('\x07');
}


function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
