/**
 * Requests made while no controller runs are not lost (issue 11): scancel,
 * scontrol requeue and scancel --signal are written with the job in Redis, and
 * the next controller acts on them. Each test kills the controller with -9,
 * makes its request with no controller alive (commands here never start one),
 * then starts a controller and watches what the job does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, TestCluster } from '../helpers/cluster.js';

// KillWait=200 at FLOW_MINUTE_SECONDS=3 (every duration times 0.05): 10 s between SIGTERM and
// SIGKILL, longer than a requeued job's wait to be eligible again (121 s: 6 s)
const CONF = `ClusterName=x
DefMemPerCPU=1024
MinJobAge=300
KillWait=200
NodeName=n[1-2] CPUs=4 RealMemory=8000 State=UNKNOWN
PartitionName=main Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
`;
const KILL_WAIT_MS = 10_000;

let c: TestCluster;
beforeAll(() => {
  c = new TestCluster({ confText: CONF, extraEnv: { FLOW_NO_AUTOSTART: '1', FLOW_MINUTE_SECONDS: '3' } });
});
// each test begins with a controller leading (one that failed may have left none)
beforeEach(async () => {
  const pid = await c.controllerPid();
  if (!pid || !alive(pid)) c.startController();
  await c.leader();
});
afterAll(async () => {
  await c.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kill -9 of the leading controller; resolves once it is gone. */
async function killController(): Promise<void> {
  const pid = await c.leader();
  process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(50);
}

/** The job scripts alive that were given `marker` as their argument (each test's own, in this cluster). */
function scriptsOf(what: string): number[] {
  const marker = `${c.name}-${what}`;
  const r = spawnSync('ps', ['-A', '-o', 'pid=', '-o', 'args='], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/))
    .filter(([, cmd, script, arg, more]) => cmd === '/bin/bash' && script?.endsWith('/slurm_script') && arg === marker && more === undefined)
    .map(([pid]) => Number(pid));
}

describe('requests made while no controller runs', () => {
  it('scancel: the job ends CANCELLED within KillWait + 2 s of a new controller, its processes gone, writing nothing more', async () => {
    const script = join(c.dir, 'lost-cancel.sh');
    // ignores SIGTERM, as a job that checkpoints might: only KillWait's SIGKILL ends it
    writeFileSync(script, '#!/bin/bash\ntrap "echo got TERM" TERM\nfor i in $(seq 250); do echo "tick $i"; sleep 0.1; done\n');
    const out = join(c.dir, 'lost-cancel.out');
    const id = c.submit(['-o', out, script, `${c.name}-lost-cancel`]);
    await c.waitState(id, ['RUNNING']);
    await c.waitFor('the job writing', () => existsSync(out) && readFileSync(out, 'utf8').includes('tick 2'));
    await killController();

    expect(c.run('scancel', [String(id)]).status).toBe(0);
    // nobody acts on it yet: the job runs on
    const before = statSync(out).size;
    await sleep(1500);
    expect(statSync(out).size).toBeGreaterThan(before);
    expect(c.job(id).get('JobState')).toBe('COMPLETING');

    const started = Date.now();
    c.startController();
    await c.waitState(id, ['CANCELLED'], KILL_WAIT_MS + 10_000);
    const took = Date.now() - started;
    console.log(`lost cancel: CANCELLED ${(took / 1000).toFixed(1)} s after the new controller was started (KillWait ${KILL_WAIT_MS / 1000} s)`);
    expect(took).toBeLessThan(KILL_WAIT_MS + 2000 + 1000); // + the new controller's own start (about 1 s here)
    expect(scriptsOf('lost-cancel')).toEqual([]);
    const size = statSync(out).size;
    await sleep(1500);
    expect(statSync(out).size).toBe(size);
    expect(readFileSync(out, 'utf8')).toContain('got TERM');
  }, 60_000);

  it('scontrol requeue: the run left is stopped before the job runs again, and two runs are never alive at once', async () => {
    const script = join(c.dir, 'lost-requeue.sh');
    const starts = join(c.dir, 'lost-requeue.starts');
    writeFileSync(script, `#!/bin/bash\ntrap "" TERM\necho "start $SLURM_RESTART_COUNT" >> ${starts}\nfor i in $(seq 600); do sleep 0.1; done\n`);
    const id = c.submit(['-o', '/dev/null', '--requeue', script, `${c.name}-lost-requeue`]);
    await c.waitState(id, ['RUNNING']);
    await c.waitFor('the first run', () => existsSync(starts));

    // counts the runs alive, every 100 ms, from now until the second run is seen
    let most = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        most = Math.max(most, scriptsOf('lost-requeue').length);
        await sleep(100);
      }
    })();

    await killController();
    expect(c.run('scontrol', ['requeue', String(id)]).status).toBe(0);
    await sleep(1000);
    expect(scriptsOf('lost-requeue')).toHaveLength(1); // nobody stopped it yet

    c.startController();
    await c.waitFor('the second run', () => readFileSync(starts, 'utf8').includes('start 1'), KILL_WAIT_MS + 30_000);
    await sleep(500);
    watching = false;
    await watcher;
    expect(readFileSync(starts, 'utf8')).toBe('start \nstart 1\n'); // SLURM_RESTART_COUNT is set from the first restart on, as in Slurm
    expect(most).toBe(1);
    expect(c.job(id).get('Restarts')).toBe('1');
    expect(c.run('scancel', [String(id)]).status).toBe(0);
    await c.waitState(id, ['CANCELLED'], KILL_WAIT_MS + 10_000);
  }, 90_000);

  it('scancel --signal: delivered once a controller runs again', async () => {
    const script = join(c.dir, 'lost-signal.sh');
    const out = join(c.dir, 'lost-signal.out');
    writeFileSync(script, '#!/bin/bash\ntrap "echo got USR1; exit 0" USR1\necho ready\nfor i in $(seq 600); do sleep 0.1; done\n');
    const id = c.submit(['-o', out, script]);
    await c.waitFor('the job ready', () => existsSync(out) && readFileSync(out, 'utf8').includes('ready'));
    await killController();
    expect(c.run('scancel', ['--signal=USR1', '--batch', String(id)]).status).toBe(0);
    await sleep(1000);
    expect(readFileSync(out, 'utf8')).not.toContain('got USR1');
    c.startController();
    const j = await c.waitState(id, ['COMPLETED'], 20_000);
    expect(j.get('ExitCode')).toBe('0:0');
    expect(readFileSync(out, 'utf8')).toBe('ready\ngot USR1\n');
  }, 60_000);
});
