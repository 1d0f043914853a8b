/**
 * A driver the decision-core tests steer: no processes, no files. A start
 * succeeds, fails or hangs as the test says; a running run ends, is lost or is
 * preempted when the test says so; a stop ends the run (or is ignored, for a
 * job that will not die). It counts every start and the runs alive per job,
 * so a test can prove that no job ever had two runs alive.
 */
import type { Driver, RunEnd, RunRef, RunStatus, SignalTarget, StartContext, StartResult, StopWhy } from '../../src/providers/driver.js';
import type { StepRecord, StoredJob } from '../../src/job/job-run.js';

type StartBehaviour = 'ok' | 'fail' | 'hang';

interface FakeRun {
  jobId: number;
  run: number;
  handle: string;
  status: RunStatus;
  end?: RunEnd;
  /** a hung start: resolve it to let it go on */
  release?: () => void;
}

export class FakeDriver implements Driver {
  readonly runs = new Map<string, FakeRun>();
  /** every start() call, by run name, in order (a second start of one run is idempotent, but counted here) */
  readonly startCalls: string[] = [];
  readonly stops: { name: string; why: StopWhy; grace: number }[] = [];
  readonly signals: { name: string; signal: number | string; target: SignalTarget }[] = [];
  readonly forgotten: string[] = [];
  /** the most runs of one job ever alive at once */
  mostAlive = 0;
  /** its runs pass through CONFIGURING, as a cloud provider's do (set by the test) */
  configures = false;
  /** how the next start of each job behaves (default ok) */
  private readonly behaviour = new Map<number, StartBehaviour>();
  /** jobs whose runs ignore stops (only the test ends them) */
  private readonly stubborn = new Set<number>();
  private handles = 0;
  private clockSeconds: () => number = () => Math.floor(Date.now() / 1000);

  useClock(seconds: () => number): void {
    this.clockSeconds = seconds;
  }

  nextStart(jobId: number, how: StartBehaviour): void {
    this.behaviour.set(jobId, how);
  }

  ignoreStops(jobId: number): void {
    this.stubborn.add(jobId);
  }

  private alive(jobId: number): FakeRun[] {
    return [...this.runs.values()].filter((r) => r.jobId === jobId && (r.status.kind === 'running' || r.status.kind === 'configuring'));
  }

  /** The run of this job alive now, if any. */
  current(jobId: number): FakeRun | undefined {
    return this.alive(jobId)[0];
  }

  async start(job: StoredJob, ref: RunRef, _ctx: StartContext): Promise<StartResult> {
    this.startCalls.push(ref.name);
    const known = this.runs.get(ref.name);
    if (known) return { ok: true, handle: known.handle };
    const how = this.behaviour.get(ref.jobId) ?? 'ok';
    this.behaviour.delete(ref.jobId);
    if (how === 'fail') return { ok: false, reason: 'JobLaunchFailure', message: 'the test said so' };
    const run: FakeRun = { jobId: ref.jobId, run: ref.run, handle: `fake-${++this.handles}`, status: { kind: 'configuring' } };
    this.runs.set(ref.name, run);
    this.mostAlive = Math.max(this.mostAlive, this.alive(ref.jobId).length);
    if (how === 'hang') await new Promise<void>((r) => (run.release = r));
    if (run.status.kind === 'configuring') run.status = { kind: 'running' };
    void job;
    return { ok: true, handle: run.handle };
  }

  async inspect(ref: RunRef): Promise<RunStatus> {
    return this.runs.get(ref.name)?.status ?? { kind: 'none' };
  }

  async ended(): Promise<RunEnd[]> {
    return [...this.runs.values()].flatMap((r) => (r.end ? [r.end] : []));
  }

  forget(ref: RunRef): void {
    const run = this.runs.get(ref.name);
    if (run?.end) run.end = undefined;
    this.forgotten.push(ref.name);
  }

  async stop(ref: RunRef, why: StopWhy, graceSeconds: number): Promise<void> {
    this.stops.push({ name: ref.name, why, grace: graceSeconds });
    const run = this.runs.get(ref.name);
    if (!run || run.status.kind !== 'running' || this.stubborn.has(run.jobId)) return;
    // a job that dies of the SIGTERM, as a shell script does
    this.finish(run, { exit: 143, signal: 15 });
  }

  signal(ref: RunRef, signal: number | NodeJS.Signals, target: SignalTarget): void {
    this.signals.push({ name: ref.name, signal, target });
  }

  cancelStep(_step: StepRecord): void {}

  watch(): () => void {
    return () => undefined;
  }

  // ---- what the test makes happen --------------------------------------------------

  private finish(run: FakeRun, how: { exit: number; signal?: number; timedOut?: boolean }): void {
    run.status = { kind: 'ended' };
    run.end = { jobId: run.jobId, run: run.run, exit: how.exit, ...(how.signal === undefined ? {} : { signal: how.signal }), timedOut: how.timedOut ?? false, end: this.clockSeconds() };
  }

  /** The job's running run ends: its script's exit code, or the signal that killed it. */
  end(jobId: number, how: { exit: number; signal?: number; timedOut?: boolean }): void {
    const run = this.current(jobId);
    if (!run) throw new Error(`job ${jobId} has no run alive`);
    this.finish(run, how);
  }

  /** The job's run is gone without an end: its node failed, or its capacity was taken back. */
  lose(jobId: number, reason: 'node_fail' | 'preempted'): void {
    const run = this.current(jobId);
    if (!run) throw new Error(`job ${jobId} has no run alive`);
    run.status = { kind: 'lost', reason, timedOut: false };
  }

  /** A hung start goes on. */
  release(jobId: number): void {
    const run = this.current(jobId);
    run?.release?.();
  }
}
