/**
 * Golden outputs: for every scenario in fixtures/golden/scenarios, the same
 * steps run against our commands (a fresh TestCluster on the golden slurm.conf,
 * FirstJobId=1000) and every query's stdout, stderr and exit code must equal,
 * after masking (test/helpers/golden.ts mask()), what real Slurm 22.05.8 printed
 * (fixtures/golden/recorded, by scripts/record-golden.sh).
 *
 * Cases that do not match yet are listed in KNOWN_FAILING and run as it.fails:
 * the suite stays green, and a case that starts passing fails until it is
 * removed from the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster } from '../helpers/cluster.js';
import { GOLDEN_DIR, loadRecording, loadScenario, masked, queryStepsOf, replay, type GoldenRun } from '../helpers/golden.js';

/**
 * Query ids (unique across scenarios) whose masked output differs from real Slurm today,
 * with why (one line each; details: FLOW_GOLDEN_DUMP=<dir> writes both masked sides).
 */
export const KNOWN_FAILING: string[] = [
  // the JOB ... CANCELLED line: real slurmstepd prints it after the step's lines (srun's notice and the
  // STEP line); ours, the batch supervisor, prints it before it sends the job's processes SIGCONT and
  // SIGTERM, so it comes first. The other lines are Slurm's, in Slurm's order.
  'signals-output-sj',
  // the same, and the task's own lines (it traps SIGTERM) come before srun's: its SIGTERM reaches it
  // with the job's, while real slurmstepd signals a step's tasks after srun's and its own lines
  'signals-output-sg',
];

/** How long the recorded run took (seconds): its last query's time. */
function recordedSeconds(run: GoldenRun): number {
  return Math.max(0, ...run.queries.map((q) => q.t ?? 0));
}

/** Returns once `seconds` from now still falls on today's date (local time), waiting past midnight if not. */
async function notAcrossMidnight(seconds: number): Promise<void> {
  const now = new Date();
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
  if (now.getTime() + seconds * 1000 < midnight) return;
  await new Promise((r) => setTimeout(r, midnight - now.getTime() + 1000));
}

const CONF = readFileSync(join(GOLDEN_DIR, 'slurm.conf'), 'utf8');
/** scenarios recorded on the shared oracle replay on its configuration */
const SHARED_CONF = readFileSync(join(GOLDEN_DIR, '..', 'oracle', 'slurm.conf'), 'utf8');
const names = readdirSync(join(GOLDEN_DIR, 'recorded'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe('golden fixtures', () => {
  it('have unique query ids, a recording for every scenario, and at least 30 cases', () => {
    const scenarios = readdirSync(join(GOLDEN_DIR, 'scenarios'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(names).toEqual(scenarios);
    const ids = scenarios.flatMap((n) => queryStepsOf(loadScenario(n)).map((q) => q.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    for (const id of KNOWN_FAILING) expect(ids).toContain(id);
  });
});

/**
 * The scenarios replay side by side (each on its own cluster, a few at a time, the longest first);
 * each scenario's tests wait for its own replay only.
 */
const AT_ONCE = 3;
let replays: Map<string, Promise<{ cluster: TestCluster; run: GoldenRun }>> | undefined;
function replayed(name: string): Promise<{ cluster: TestCluster; run: GoldenRun }> {
  if (!replays) {
    const order = [...names].sort((a, b) => recordedSeconds(loadRecording(b)!) - recordedSeconds(loadRecording(a)!));
    let slots = AT_ONCE;
    const queue: Array<() => void> = [];
    const slot = () => (slots-- > 0 ? Promise.resolve() : new Promise<void>((r) => queue.push(r)));
    const free = () => {
      slots++;
      queue.shift()?.();
    };
    replays = new Map(order.map((n) => [n, slot().then(() => replayOne(n)).finally(free)]));
  }
  return replays.get(name)!;
}

/** Every scenario's cluster goes at the end, also those whose tests a -t filter left out (their replay ran all the same). */
const destroyed = new Set<TestCluster>();
async function destroyOnce(cluster: TestCluster | undefined): Promise<void> {
  if (!cluster || destroyed.has(cluster)) return;
  destroyed.add(cluster);
  await cluster.destroy();
}
afterAll(async () => {
  for (const p of replays?.values() ?? []) await destroyOnce((await p.catch(() => undefined))?.cluster);
}, 900_000);

async function replayOne(name: string): Promise<{ cluster: TestCluster; run: GoldenRun }> {
  const scenario = loadScenario(name);
  // sacct without -S lists the jobs of today (since midnight): each recording ran within one day,
  // so ours must too. Near midnight, wait for the new day rather than straddle it.
  if (queryStepsOf(scenario).some((q) => q.query[0] === 'sacct')) await notAcrossMidnight(recordedSeconds(loadRecording(name)!) + 60);
  // the shared oracle's ids are what its counter was: ours start there too (same widths, same masking)
  const first = Math.min(...Object.values(loadRecording(name)!.context.labels));
  const firstJobId = scenario.cluster === 'shared' && Number.isFinite(first) ? first : 1000;
  const cluster = new TestCluster({ confText: scenario.cluster === 'shared' ? SHARED_CONF : CONF, extraEnv: scenario.replayEnv, firstJobId });
  // waits on our side give up after 60 s (real requeue waits are longer: that scenario
  // shrinks our requeue delay with replayEnv FLOW_MINUTE_SECONDS instead)
  return { cluster, run: await replay(scenario, cluster, { maxWait: 60 }) };
}

for (const name of names) {
  describe(`golden: ${name}`, () => {
    const scenario = loadScenario(name);
    const real = loadRecording(name)!;
    let cluster: TestCluster;
    let ours: GoldenRun;

    beforeAll(async () => {
      ({ cluster, run: ours } = await replayed(name));
      // FLOW_GOLDEN_DUMP=<dir>: write our raw run and both masked sides of every query, for diffing
      const dump = process.env.FLOW_GOLDEN_DUMP;
      if (dump) {
        mkdirSync(dump, { recursive: true });
        const cases = queryStepsOf(scenario).map((step) => {
          const r = real.queries.find((q) => q.id === step.id);
          const o = ours.queries.find((q) => q.id === step.id);
          return { id: step.id, real: r && masked(r, real.context, step), ours: o && masked(o, ours.context, step) };
        });
        writeFileSync(join(dump, `${name}.json`), `${JSON.stringify({ ours, cases }, null, 2)}\n`);
      }
    }, 900_000);
    afterAll(async () => {
      await destroyOnce(cluster);
    }, 60_000);

    for (const step of queryStepsOf(scenario)) {
      const rec = real.queries.find((q) => q.id === step.id);
      const title = `${step.id}${step.client ? ` [${step.client}]` : ''}: ${step.query.join(' ').replace(/[\x1e\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`).slice(0, 120)}`;
      if (!rec) {
        it.skip(`${title} (not recorded)`, () => {});
        continue;
      }
      const test = KNOWN_FAILING.includes(step.id) ? it.fails : it;
      test(title, () => {
        const mine = ours.queries.find((q) => q.id === step.id);
        expect(mine, 'the query ran on our side').toBeDefined();
        expect(masked(mine!, ours.context, step)).toEqual(masked(rec, real.context, step));
      });
    }
  });
}
