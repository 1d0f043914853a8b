/**
 * The Mithril driver: a job of N nodes is one spot bid with
 * instance_quantity = N, named after the run (cluster-job-run), so a start
 * asked twice, or by a controller that took over, finds the bid instead of
 * making a second. Once every instance runs, the driver sets the nodes up
 * over ssh (ssh.ts; remote.ts says what goes where) and starts the batch
 * script on the first instance under the local provider's own supervisor.
 * A poll per run (every second) follows the bid and the script: it copies
 * the output files back into the submit directory as they grow, answers
 * srun's step requests (remote-steps.ts), and records the end. A run's end,
 * its cancel and its time limit delete the bid, so nothing keeps billing.
 *
 * What the driver keeps of a run is in its spool directory, so a controller
 * that restarts goes on where the last one was; a bid whose run was recorded
 * but not yet deleted is deleted by the next controller (`forgotten`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, openSync, closeSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { StepRecord, StoredJob } from '../../job/job-run.js';
import { batchFileName } from '../../job/patterns.js';
import { limitSeconds } from '../../job/job.js';
import { parseSignal } from '../../job/values/index.js';
import { dollarsToCents, formatDollars } from './money.js';
import type { MithrilClient } from './client.js';
import type { BidModel, InstanceModel } from './schemas.js';
import type { Driver, RunEnd, RunRef, RunStatus, SignalTarget, StartContext, StartResult, StopWhy } from '../driver.js';
import { batchEnv } from '../../steps/batch-env.js';
import { containerScript, envScript, hostsScript, q, remoteDir, remotePath, sendableEnv } from './remote.js';
import { Ssh, SshKeys, splitDestination } from './ssh.js';
import { decide, readAsk, stepFiles, type StepAnswer, type StepAsk } from './remote-steps.js';
import { spent, type Spent } from './billing.js';
import { readEndRecord } from '../end-record.js';
import { redact } from '../../redact.js';
import supervisorScript from '../local/supervisor.sh';
import remoteSrun from './remote-srun.sh';
import remoteScontrol from './remote-scontrol.sh';

const DEFAULT_KILL_WAIT = 30;
const POLL_MS = 1000;

/** What the driver keeps of a run between polls (and across controllers: job.json). */
interface RunFile {
  jobId: number;
  run: number;
  nodes: string[];
  /** output files: where they are here, where on the batch node, truncated at the start or appended to */
  outputs: { local: string; remote: string }[];
  /** the supervisor's arguments after END_FILE */
  args: string[];
  stdin: string;
  workDir: string;
  /** the job as it was started: srun's steps are planned from it */
  stored: StoredJob;
  /** what a preemption notice sends: the job's --signal (B: the batch shell only), else SIGTERM to all */
  preempt: { signal: number; target: SignalTarget };
  /** --max-cost in cents: reached, the job gets its signal and ends */
  maxCostCents?: number;
  /** the batch script's arguments */
  scriptArgs: string[];
  /** the container image the batch step runs in (#FLOW --image, the partition's image) */
  image?: string;
}

interface Live {
  ref: RunRef;
  busy: boolean;
  /** 'bid': waiting for every instance to run; 'launch': setting the nodes up; 'running'; 'ending' */
  phase: 'bid' | 'launch' | 'running' | 'ending';
  lost?: 'preempted' | 'node_fail';
  nodes?: { dest: string; ip: string }[];
  sshFailures: number;
  /** ms epoch of the last look at the instances' statuses through the API */
  lastLook: number;
  /** ms epoch when the batch script was started (or found started) */
  launchedAt: number;
  /** launches that failed (each is tried again on the next look) */
  launchFailures: number;
  /** the output copy under way (copies are made one after another) */
  copying: Promise<void>;
  /** the bid has not won yet: why (the job's reason) */
  waiting?: string;
  /** ms epoch of the spot price in `waiting` */
  pricedAt: number;
  /** the last thing worth telling (a failed call), already redacted */
  note?: string;
}

/** Where steps are recorded (the controller's Redis): start gives the step its id. */
export interface StepSink {
  start(jobId: number, step: Omit<StepRecord, 'id'>): Promise<number>;
  end(jobId: number, step: StepRecord): Promise<unknown>;
}

export interface MithrilDriverOptions {
  steps?: StepSink;
  /** where a run's price and cost so far are recorded (cents) */
  money?: (jobId: number, run: number, priceCents: number, costCents: number) => Promise<unknown>;
  client: MithrilClient;
  /** the driver's directory: ssh key, runs */
  dir: string;
  sshUser: string;
  cluster: string;
  timeScale?: number;
  /** values never to send to an instance (the API key; what we log goes through redact.ts) */
  secrets: readonly string[];
  log: (line: string) => void;
}

export class MithrilDriver implements Driver {
  readonly configures = true;
  /** bids are created at most 5 a second (a 429 is answered anyway, this keeps us below it) */
  readonly startLimit = { max: 5, perMs: 1000 };
  private readonly keys: SshKeys;
  private readonly ssh: Ssh;
  private readonly live = new Map<string, Live>();
  /** each run's job.json, parsed */
  private readonly files = new Map<string, RunFile>();
  private wake: (what?: { started?: boolean }) => void = () => {};
  private timer?: NodeJS.Timeout;
  private keyFid?: Promise<string>;

  constructor(private readonly o: MithrilDriverOptions) {
    this.keys = new SshKeys(join(o.dir, 'ssh'));
    this.ssh = new Ssh(this.keys, o.sshUser);
    mkdirSync(join(o.dir, 'runs'), { recursive: true });
  }

  private runDir(name: string): string {
    return join(this.o.dir, 'runs', name);
  }

  private read(name: string, file: string): string | undefined {
    try {
      return readFileSync(join(this.runDir(name), file), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The driver's key, registered with the project once (found by its name when it already is). */
  private sshKeyFid(): Promise<string> {
    this.keyFid ??= (async () => {
      const pub = this.keys.ensure();
      const name = `flow-slurm-${this.o.cluster}-${pub.split(' ')[1]!.slice(-12).replace(/[^A-Za-z0-9]/g, '')}`;
      const found = (await this.o.client.sshKeys()).find((k) => k.public_key.trim() === pub);
      return found ? found.fid : (await this.o.client.createSshKey(name, pub)).fid;
    })();
    this.keyFid.catch(() => (this.keyFid = undefined));
    return this.keyFid;
  }

  async start(job: StoredJob, ref: RunRef, ctx: StartContext): Promise<StartResult> {
    const dir = this.runDir(ref.name);
    const known = this.read(ref.name, 'bid');
    if (known) return { ok: true, handle: known.trim() };
    const p = job.record.placement;
    if (!p || p.provider !== 'mithril' || p.instanceType === undefined) {
      return { ok: false, reason: 'JobLaunchFailure', message: 'the job has no Mithril placement' };
    }
    try {
      this.prepare(job, ref, ctx, dir);
      // a controller that died after creating the bid, before writing it down: the bid is found by its name
      const existing = await this.o.client.findBid(ref.name);
      const bid = existing ?? await this.createBid(job, ref);
      // a controller killed here has made the bid and written nothing down: its successor finds it by name
      ctx.checkpoint('launch-spawned');
      writeFileSync(join(dir, 'bid'), bid.fid);
      this.follow(ref, bid.fid);
      return { ok: true, handle: bid.fid };
    } catch (e) {
      return { ok: false, reason: 'JobLaunchFailure', message: redact((e as Error).message) };
    }
  }

  private async createBid(job: StoredJob, ref: RunRef): Promise<BidModel> {
    const p = job.record.placement!;
    const found = await this.o.client.resolveInstanceType(p.instanceType!, p.region === 'cheapest' ? undefined : p.region);
    let choice = found[0]!;
    if (found.length > 1) {
      // no region chosen (or "cheapest"): where the spot price is lowest now
      const prices = await Promise.all(found.map((f) => this.o.client.currentPrice(f.fid, f.region).then((c) => c.spot_price_cents ?? Infinity, () => Infinity)));
      choice = found[prices.indexOf(Math.min(...prices))] ?? choice;
    }
    return this.o.client.createBid({
      name: ref.name,
      instanceType: choice.fid,
      region: choice.region,
      limitPriceCents: dollarsToCents(p.maxPricePerHour ?? 0),
      quantity: job.alloc.length,
      sshKeys: [await this.sshKeyFid()],
      startupScript: '#!/bin/sh\n# flow-slurm sets this instance up over ssh once the bid is allocated\nmkdir -p "$HOME/.flow-slurm"\n',
    });
  }

  /** Everything the batch node gets, made here before the bid: a restarted controller finds it. */
  private prepare(job: StoredJob, ref: RunRef, ctx: StartContext, dir: string): void {
    if (existsSync(join(dir, 'job.json'))) return;
    const r = job.record;
    const node = job.alloc[0]!.node;
    const D = remoteDir(ref.name);
    const bundle = join(dir, 'bundle');
    mkdirSync(join(bundle, 'bin'), { recursive: true });
    writeFileSync(join(bundle, 'slurm_script'), ctx.script, { mode: 0o755 });
    writeFileSync(join(bundle, 'supervisor.sh'), supervisorScript);
    writeFileSync(join(bundle, 'bin', 'srun'), remoteSrun, { mode: 0o755 });
    writeFileSync(join(bundle, 'bin', 'scontrol'), remoteScontrol, { mode: 0o755 });
    const env = batchEnv(job, {
      clusterName: ctx.cluster.config.clusterName,
      controllerHost: ctx.controllerHost,
      submitEnv: ctx.submitEnv,
      binDir: '',
    });
    // what describes this machine, and any value holding a secret, stays here
    writeFileSync(join(bundle, 'env.sh'), envScript(sendableEnv(env, this.o.secrets), ref.name));
    // the run's own key: srun on the batch node reaches the job's other nodes with it
    const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `flow-slurm ${ref.name}`, '-f', join(bundle, 'node_key')], { stdio: 'ignore' });
    if (keygen.status !== 0) throw new Error('ssh-keygen failed: cannot make the key the job\'s nodes reach each other with');
    const scale = this.o.timeScale ?? 1;
    const scaled = (secs: number) => Math.max(1, Math.round(secs * scale));
    const limit = r.timeLimit === 'UNLIMITED' ? 0 : scaled(limitSeconds(r.timeLimit));
    const signal = r.signal ? parseSignal(r.signal) : undefined;
    const warn = signal?.ok ? signal.value : undefined;
    const killWait = Number(ctx.cluster.config.settings.get('killwait') ?? DEFAULT_KILL_WAIT);
    const outName = batchFileName(r.stdout, r, node);
    const errName = batchFileName(r.stderr, r, node);
    const outputs = [{ local: outName, remote: remotePath(outName, r.workDir, D, 0) }];
    if (errName !== outName) outputs.push({ local: errName, remote: remotePath(errName, r.workDir, D, 1) });
    const file: RunFile = {
      jobId: r.jobId,
      run: ref.run,
      nodes: job.alloc.map((a) => a.node),
      outputs,
      args: [String(limit), String(warn ? scaled(warn.seconds) : 0), String(warn?.signal ?? 0), warn?.batchOnly ? '1' : '0', String(scaled(killWait)), String(r.jobId), node],
      stdin: remotePath(batchFileName(r.stdin, r, node), r.workDir, D, 2),
      workDir: r.workDir,
      stored: job,
      preempt: warn ? { signal: warn.signal, target: warn.batchOnly ? 'batch' : 'all' } : { signal: 15, target: 'all' },
      ...(r.placement?.maxCost !== undefined ? { maxCostCents: dollarsToCents(r.placement.maxCost) } : {}),
      scriptArgs: r.scriptArgs,
      ...(r.placement?.image !== undefined ? { image: r.placement.image } : {}),
    };
    if (file.image !== undefined) writeFileSync(join(bundle, 'container.sh'), containerScript(file.image, ref.name), { mode: 0o755 });
    // the output files appear at the start, as slurmd opens them (a requeued run appends)
    for (const o of outputs) {
      try {
        closeSync(openSync(o.local, r.openMode === 'append' || job.restarts > 0 ? 'a' : 'w', 0o644));
      } catch {
        // its directory is missing: the copy back says so when it fails
      }
    }
    writeFileSync(join(dir, 'job.json'), JSON.stringify(file));
  }

  // ---- following a run ---------------------------------------------------------

  private follow(ref: RunRef, bid: string): Live {
    let l = this.live.get(ref.name);
    if (!l) {
      l = { ref: { ...ref, handle: bid }, busy: false, phase: existsSync(join(this.runDir(ref.name), 'launched')) ? 'running' : 'bid', sshFailures: 0, lastLook: 0, launchedAt: Date.now(), pricedAt: 0, copying: Promise.resolve(), launchFailures: 0 };
      this.live.set(ref.name, l);
    }
    this.timer ??= setInterval(() => this.pollAll(), POLL_MS);
    this.timer.unref?.();
    return l;
  }

  private pollAll(): void {
    for (const l of this.live.values()) {
      if (l.busy) continue;
      l.busy = true;
      void this.poll(l).catch((e) => this.note(l, (e as Error).message)).finally(() => (l.busy = false));
    }
    if (this.live.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private note(l: Live, message: string): void {
    const m = redact(message);
    if (l.note !== m) this.o.log(`job ${l.ref.jobId} run ${l.ref.run}: ${m}`);
    l.note = m;
  }

  private async poll(l: Live): Promise<void> {
    const name = l.ref.name;
    if (existsSync(join(this.runDir(name), 'end')) || l.lost) return;
    if (l.phase === 'bid') {
      const ready = await this.instancesUp(l);
      if (!ready) return;
      l.phase = 'launch';
      try {
        await this.launch(l);
      } catch (e) {
        // every step of a launch may be taken again (an ssh that failed, a node still coming up):
        // the next look tries again; a node that never lets us in is a failed node
        l.phase = 'bid';
        if (++l.launchFailures >= 5) l.lost = 'node_fail';
        throw e;
      }
      l.phase = 'running';
      l.launchedAt = Date.now();
      writeFileSync(join(this.runDir(name), 'launched'), '');
      this.wake({ started: true });
      return;
    }
    if (l.phase === 'running') await this.watchRunning(l);
  }

  /** Every instance of the bid runs and can be reached: their addresses, in the bid's order. */
  private async instancesUp(l: Live): Promise<boolean> {
    const bid = await this.o.client.getBid(l.ref.handle);
    if (bid.status === 'Terminated') {
      l.lost = 'node_fail';
      return false;
    }
    await this.noteWaiting(l, bid);
    const instances = await this.o.client.instances({ bidFids: [bid.fid] });
    const byFid = new Map(instances.map((i) => [i.fid, i]));
    const ordered = bid.instances.map((fid) => byFid.get(fid)).filter((i): i is InstanceModel => i !== undefined);
    // an instance that failed while starting: the run ends NODE_FAIL (and a requeueable job bids again)
    if (ordered.some((i) => i.status === 'STATUS_ERROR')) {
      l.lost = 'node_fail';
      return false;
    }
    if (ordered.length < bid.instance_quantity || ordered.some((i) => i.status !== 'STATUS_RUNNING' || !i.ssh_destination || !i.private_ip)) return false;
    l.nodes = ordered.map((i) => ({ dest: i.ssh_destination!, ip: i.private_ip! }));
    return true;
  }

  /**
   * A bid that has not won: why, for the job's reason (it then shows PENDING),
   * with the spot price now against the bid's limit, looked up every few seconds.
   */
  private async noteWaiting(l: Live, bid: BidModel): Promise<void> {
    if (bid.status !== 'Open' || bid.instances.length > 0) {
      l.waiting = undefined;
      return;
    }
    if (l.waiting && Date.now() - l.pricedAt < 5000) return;
    l.pricedAt = Date.now();
    const price = await this.o.client.currentPrice(bid.instance_type, bid.region ?? undefined, bid.instance_quantity).catch(() => undefined);
    const spot = price?.spot_price_cents ?? undefined;
    l.waiting = `BidOpen,spot=${spot === undefined ? 'unknown' : `${formatDollars(spot)}/h`},limit=${bid.limit_price}/h`;
  }

  /** What prepare() wrote of the run (it does not change): read once per controller. */
  private runFile(name: string): RunFile {
    const known = this.files.get(name);
    if (known) return known;
    const text = this.read(name, 'job.json');
    const f = JSON.parse(text ?? '{}') as RunFile;
    if (text !== undefined) this.files.set(name, f);
    return f;
  }

  /** Set every node up (its run directory, the job's node names), then start the batch script on the first. */
  private async launch(l: Live): Promise<void> {
    const name = l.ref.name;
    const f = this.runFile(name);
    const nodes = l.nodes!;
    const D = remoteDir(name);
    const named = f.nodes.map((n, i) => ({ name: n, ip: nodes[i]!.ip }));
    const bundle = join(this.runDir(name), 'bundle');
    const pub = readFileSync(join(bundle, 'node_key.pub'), 'utf8').trim();
    const setup = [
      `mkdir -p ${D}/work ${D}/out ${D}/bin ${D}/steps "$HOME/.ssh" && printf '%s\\n' ${named.map((n) => q(`${n.name} ${n.ip}`)).join(' ')} > ${D}/nodes`,
      `grep -qxF ${q(pub)} "$HOME/.ssh/authorized_keys" 2>/dev/null || printf '%s\\n' ${q(pub)} >> "$HOME/.ssh/authorized_keys"`,
      `chmod 700 "$HOME/.ssh"; chmod 600 "$HOME/.ssh/authorized_keys"`,
      `tar -x -f - -C ${D}/bin`,
      hostsScript(named),
    ].join('\n');
    const work = await tarOf(f.workDir);
    const bin = await tarOf(join(bundle, 'bin'));
    for (const n of nodes) {
      await this.must(this.ssh.run(n.dest, setup, { input: bin }), 'setting a node up');
      // the submit directory's copy on every node: a step's tasks find the job's files where the batch script does
      await this.must(this.ssh.run(n.dest, `tar -x -f - -C ${D}/work`, { input: work }), 'copying the submit directory');
    }
    // then the job, then the start (once: the claim is a directory)
    await this.must(this.ssh.run(nodes[0]!.dest, `tar -x -f - -C ${D}`, { input: await tarOf(bundle) }), 'copying the job');
    const [out, err] = [f.outputs[0]!.remote, (f.outputs[1] ?? f.outputs[0]!).remote];
    const redirect = f.outputs.length === 1 ? `>${out} 2>&1` : `>${out} 2>${err}`;
    const start = [
      `mkdir ${D}/claim 2>/dev/null || exit 0`,
      `cd ${D}/work 2>/dev/null || cd ${D}`,
      `. ${D}/env.sh`,
      `(setsid sh ${D}/supervisor.sh ${D}/end ${f.args.map(q).join(' ')} ${f.image !== undefined ? `${D}/container.sh ` : ''}${D}/slurm_script ${(f.scriptArgs ?? []).map(q).join(' ')} <${f.stdin} ${redirect} &) </dev/null >/dev/null 2>&1`,
    ].join('\n');
    await this.must(this.ssh.run(nodes[0]!.dest, start), 'starting the batch script');
  }

  private async must(p: Promise<{ status: number; stderr: string }>, what: string): Promise<void> {
    const r = await p;
    if (r.status !== 0) throw new Error(`${what}: ${r.stderr || `exit ${r.status}`}`);
  }

  /** The running script: its output so far, and its end. */
  private async watchRunning(l: Live): Promise<void> {
    const name = l.ref.name;
    const nodes = l.nodes ?? (await this.instancesUp(l).then((up) => (up ? l.nodes : undefined)));
    if (!nodes) {
      if (!l.lost) l.lost = await this.whyGone(l);
      return;
    }
    const D = remoteDir(name);
    const r = await this.ssh.run(nodes[0]!.dest, [
      `cat ${D}/end 2>/dev/null; [ -e ${D}/end.timeout ] && echo timeout=1`,
      // srun's requests not answered yet, and steps that ended
      `for r in ${D}/steps/req.*; do [ -d "$r" ] || continue`,
      '  if [ ! -e "$r/plan.sh" ]; then echo "request ${r##*/}"',
      '  elif [ -e "$r/end" ]; then echo "stepend ${r##*/} $(tr \'\\n\' \' \' < "$r/end")"; fi',
      'done; true',
    ].join('\n'), { timeoutMs: 10_000 });
    if (r.status !== 0) {
      l.sshFailures++;
      if (l.sshFailures >= 5) l.lost = await this.whyGone(l);
      return;
    }
    l.sshFailures = 0;
    await this.lookForNotice(l);
    const text = r.stdout.toString('utf8');
    for (const m of text.matchAll(/^request (req\.\d+)$/gm)) await this.answerStep(l, m[1]!);
    for (const m of text.matchAll(/^stepend (req\.\d+) rc=(\d+) end=(\d+)/gm)) await this.stepEnded(l, m[1]!, Number(m[2]), Number(m[3]));
    await this.copyBack(l);
    // the end record's lines (a step's end line also says rc=)
    const end = text.split('\n').filter((line) => /^(rc|end|sig|timeout)=/.test(line)).join('\n');
    // a preempted job's script that ended on its notice: the run ends PREEMPTED, whatever its exit
    if (/^rc=\d+/m.test(end) && existsSync(join(this.runDir(name), 'preempted'))) {
      l.lost = 'preempted';
      this.wake();
    } else if (/^rc=\d+/m.test(end)) {
      writeFileSync(join(this.runDir(name), 'end'), `${end}\n`);
      this.wake();
    }
  }

  /**
   * Every few seconds, the instances' statuses from the API: a preemption
   * notice (STATUS_PREEMPTING) gives the job its --signal at once (SIGTERM
   * without one), and the run then ends PREEMPTED, when its script ends or
   * when the notice runs out and the instances go.
   */
  private async lookForNotice(l: Live): Promise<void> {
    const name = l.ref.name;
    const preempted = existsSync(join(this.runDir(name), 'preempted'));
    if (Date.now() - l.lastLook < (preempted ? 1000 : 3000)) return;
    l.lastLook = Date.now();
    const instances = await this.o.client.instances({ bidFids: [l.ref.handle] });
    const paid = await this.recordCost(l.ref.jobId, l.ref.run, l.ref.handle, false);
    const cap = this.runFile(name).maxCostCents;
    if (paid && cap !== undefined && paid.costCents >= cap && !existsSync(join(this.runDir(name), 'stopping'))) return this.capped(l, paid.costCents, cap);
    const notice = instances.some((i) => i.status === 'STATUS_PREEMPTING');
    const gone = instances.some((i) => i.status === 'STATUS_PREEMPTED' || i.status === 'STATUS_TERMINATED');
    if ((notice || gone) && !preempted) {
      writeFileSync(join(this.runDir(name), 'preempted'), '');
      const f = this.runFile(name);
      this.o.log(`job ${f.jobId}: its instances are being preempted; signal ${f.preempt.signal} sent`);
      this.signal(l.ref, f.preempt.signal, f.preempt.target);
    }
    if (gone) {
      // what the script wrote before its instances went, as far as they still answer
      await this.copyBack(l).catch(() => undefined);
      l.lost = 'preempted';
      this.wake();
    }
  }

  /** Why the instances went: preempted when the bid lost them, a failed node otherwise. */
  private async whyGone(l: Live): Promise<'preempted' | 'node_fail' | undefined> {
    const instances = await this.o.client.instances({ bidFids: [l.ref.handle] });
    if (instances.some((i) => i.status === 'STATUS_PREEMPTING' || i.status === 'STATUS_PREEMPTED')) return 'preempted';
    if (instances.some((i) => i.status === 'STATUS_ERROR' || i.status === 'STATUS_TERMINATED')) return 'node_fail';
    return undefined;
  }

  /** An srun on the batch node asks for its step: planned here with srun's own code, answered with its files. */
  private async answerStep(l: Live, req: string): Promise<void> {
    const name = l.ref.name;
    const f = this.runFile(name);
    const nodes = l.nodes!;
    const D = remoteDir(name);
    const part = async (file: string) => {
      const r = await this.ssh.run(nodes[0]!.dest, `cat ${D}/steps/${req}/${file}`);
      if (r.status !== 0) throw new Error(`reading srun's request: ${r.stderr}`);
      return r.stdout;
    };
    const ask = readAsk(await part('argv'), await part('env'), await part('cwd'));
    const answer = decide(f.stored, ask, new Date());
    const plan = answer.kind === 'done' ? answer.script : await this.createStep(l, req, answer, ask);
    if (plan === undefined) return;
    await this.must(this.ssh.run(nodes[0]!.dest, `cat > ${D}/steps/${req}/plan.tmp && mv ${D}/steps/${req}/plan.tmp ${D}/steps/${req}/plan.sh`, { input: plan }), 'answering srun');
  }

  /**
   * Record the step (its id comes from the controller's Redis) and send each
   * node its tasks; the plan for srun, or undefined while the job is not
   * RUNNING yet (the controller has not seen its start: asked again on the next look).
   */
  private async createStep(l: Live, req: string, answer: Extract<StepAnswer, { kind: 'step' }>, ask: StepAsk): Promise<string | undefined> {
    const name = l.ref.name;
    const f = this.runFile(name);
    const nodes = l.nodes!;
    const D = remoteDir(name);
    const record = { ...answer.step.record, start: Math.floor(Date.now() / 1000) };
    const id = this.o.steps ? await this.o.steps.start(f.jobId, record) : 0;
    if (id < 0 && Date.now() - l.launchedAt < 30_000) return undefined;
    if (id < 0) return `printf '%s\\n' ${q(`srun: error: Unable to create step for job ${f.jobId}: Job/step already completing or completed`)} >&2\nexit 1\n`;
    writeFileSync(join(this.runDir(name), `${req}.json`), JSON.stringify({ ...record, id }));
    const dests = nodes.map((n, i) => (i === 0 ? '' : `${n.ip}:${splitDestination(n.dest).port}`));
    const files = stepFiles(f.stored, name, answer, id, ask, dests, nodes[0]!.ip);
    for (const [i, text] of files.nodes) {
      await this.must(this.ssh.run(nodes[i]!.dest, `mkdir -p ${D}/steps/${id} && cat > ${D}/steps/${id}/node.sh`, { input: text }), 'sending a step');
    }
    return files.plan;
  }

  /** A step's srun ended: its record says how, and the request goes. */
  private async stepEnded(l: Live, req: string, rc: number, end: number): Promise<void> {
    const file = join(this.runDir(l.ref.name), `${req}.json`);
    const started = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StepRecord) : undefined;
    if (started && this.o.steps) {
      await this.o.steps.end(this.runFile(l.ref.name).jobId, { ...started, end, state: rc === 0 ? 'COMPLETED' : 'FAILED', exit: `${rc}:0` });
    }
    rmSync(file, { force: true });
    await this.ssh.run(l.nodes![0]!.dest, `rm -rf ${remoteDir(l.ref.name)}/steps/${req}`);
  }

  /** What the output files gained since the last copy; one copy at a time per run (the poll and a stop may both ask). */
  private copyBack(l: Live): Promise<void> {
    const next = l.copying.then(() => this.copyOnce(l));
    l.copying = next.catch(() => undefined);
    return next;
  }

  private async copyOnce(l: Live): Promise<void> {
    const name = l.ref.name;
    const f = this.runFile(name);
    const offsets = JSON.parse(this.read(name, 'offsets.json') ?? '{}') as Record<string, number>;
    for (const o of f.outputs) {
      if (o.remote === '/dev/null') continue;
      const from = offsets[o.local] ?? 0;
      const r = await this.ssh.run(l.nodes![0]!.dest, `tail -c +${from + 1} ${o.remote} 2>/dev/null; true`, { timeoutMs: 15_000 });
      if (r.status !== 0 || r.stdout.length === 0) continue;
      try {
        appendFileSync(o.local, r.stdout);
      } catch (e) {
        this.note(l, `cannot copy output back to ${o.local}: ${(e as Error).message}`);
        continue;
      }
      offsets[o.local] = from + r.stdout.length;
      writeFileSync(join(this.runDir(name), 'offsets.json'), JSON.stringify(offsets));
    }
  }

  // ---- the Driver interface ----------------------------------------------------

  async inspect(ref: RunRef): Promise<RunStatus> {
    const dir = this.runDir(ref.name);
    if (existsSync(join(dir, 'end'))) return { kind: 'ended' };
    const bid = ref.handle || this.read(ref.name, 'bid')?.trim();
    if (!bid) return { kind: 'none' };
    const l = this.follow(ref, bid);
    if (l.lost) return { kind: 'lost', reason: l.lost, timedOut: false };
    if (l.phase === 'running') return { kind: 'running', ...(ref.handle ? {} : { handle: bid }) };
    return { kind: 'configuring', ...(l.waiting ? { waiting: l.waiting } : {}) };
  }

  async ended(): Promise<RunEnd[]> {
    const out: RunEnd[] = [];
    let names: string[];
    try {
      names = readdirSync(join(this.o.dir, 'runs'));
    } catch {
      return out;
    }
    for (const name of names) {
      const text = this.read(name, 'end');
      if (text === undefined || existsSync(join(this.runDir(name), 'forgotten'))) continue;
      const f = this.runFile(name);
      out.push({
        jobId: f.jobId,
        run: f.run,
        ...readEndRecord(text, Math.floor(Date.now() / 1000)),
        timedOut: /timeout=1/.test(text),
        ...(/^limit=cost$/m.test(text) ? { limit: 'cost' as const } : {}),
      });
    }
    return out;
  }

  /** The run is recorded: its bid goes (its instances with it), then what the driver kept of it. */
  forget(ref: RunRef): void {
    const dir = this.runDir(ref.name);
    if (!existsSync(dir)) return;
    writeFileSync(join(dir, 'forgotten'), '');
    this.live.delete(ref.name);
    void this.release(ref.name);
  }

  /**
   * The run's price and cost so far, from the market's pricing history. After
   * its bid is deleted (`final`), its instances' billing closes: their last
   * periods are waited for (a few seconds at most), so the sum is the market's.
   */
  private async recordCost(jobId: number, run: number, bid: string, final: boolean): Promise<Spent | undefined> {
    if (!this.o.money) return undefined;
    for (let i = 0; ; i++) {
      const s = spent(await this.o.client.instancePricingHistory({ bidFid: bid }), Date.now());
      if (!final || s.final || i >= 50) {
        await this.o.money(jobId, run, s.priceCents, s.costCents);
        return s;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async release(name: string): Promise<void> {
    const bid = this.read(name, 'bid')?.trim();
    try {
      if (bid) await this.o.client.deleteBid(bid);
      const f = this.read(name, 'job.json') ? this.runFile(name) : undefined;
      if (bid && f) await this.recordCost(f.jobId, f.run, bid, true).catch((e) => this.o.log(`job ${f.jobId}: its cost: ${redact((e as Error).message)}`));
      rmSync(this.runDir(name), { recursive: true, force: true });
      this.files.delete(name);
    } catch (e) {
      this.o.log(`run ${name}: could not delete bid ${bid}: ${redact((e as Error).message)} (the next controller tries again)`);
    }
  }

  /** Bids of runs recorded by a controller that died before deleting them. */
  releaseForgotten(): void {
    let names: string[] = [];
    try {
      names = readdirSync(join(this.o.dir, 'runs'));
    } catch {
      // none
    }
    for (const name of names) if (existsSync(join(this.runDir(name), 'forgotten'))) void this.release(name);
  }

  /**
   * Cancel and requeue: the script gets SIGTERM from its supervisor, which
   * says why in the job's output; a moment later (at most KillWait) the
   * output is copied back and the bid is deleted: that ends everything on
   * the instances. The run's end is then recorded here.
   */
  async stop(ref: RunRef, why: StopWhy, graceSeconds: number): Promise<void> {
    await this.halt(ref, why.kind === 'requeue' ? 'requeue' : why.by, graceSeconds);
  }

  /**
   * The job spent its --max-cost: it gets its signal (when it asked for one,
   * with KillWait, at most 5 s, to act on it; the end's SIGTERM follows
   * anyway), then it ends as a cancel does, its output saying why, and the
   * controller records MaxCostReached.
   */
  private async capped(l: Live, costCents: number, capCents: number): Promise<void> {
    const f = this.runFile(l.ref.name);
    this.o.log(`job ${f.jobId}: it has cost ${formatDollars(costCents)}, its --max-cost is ${formatDollars(capCents)}: ending it`);
    if (f.preempt.signal !== 15) {
      this.signal(l.ref, f.preempt.signal, f.preempt.target);
      // a moment to act on it (KillWait, at most 5 s: the job is still paying) before the SIGTERM
      await new Promise((r) => setTimeout(r, Math.min(Number(f.args[4]) || 1, 5) * 1000));
    }
    await this.halt(l.ref, 'maxcost', 1, 'cost');
  }

  /** How every end from here goes: the supervisor's SIGTERM with `marker` saying why, the output back, the bid deleted. */
  private async halt(ref: RunRef, marker: string, graceSeconds: number, limit?: 'cost'): Promise<void> {
    const dir = this.runDir(ref.name);
    if (existsSync(join(dir, 'end')) || existsSync(join(dir, 'stopping'))) return;
    writeFileSync(join(dir, 'stopping'), '');
    const bid = ref.handle || this.read(ref.name, 'bid')?.trim();
    const l = bid ? this.follow(ref, bid) : undefined;
    let text = '';
    if (l && l.phase === 'running' && l.nodes) {
      const D = remoteDir(ref.name);
      const wait = Math.min(1, graceSeconds);
      const r = await this.ssh.run(l.nodes[0]!.dest, [
        `printf '%s' ${q(marker)} > ${D}/end.cancel`,
        `kill -TERM "$(cat ${D}/end.pid)" 2>/dev/null`,
        `i=0; while [ ! -e ${D}/end ] && [ $i -lt ${Math.round(wait * 10)} ]; do sleep 0.1; i=$((i+1)); done`,
        `cat ${D}/end 2>/dev/null; true`,
      ].join('\n'), { timeoutMs: 5000 });
      text = r.stdout.toString('utf8');
      await this.copyBack(l).catch(() => undefined);
    }
    if (bid) await this.o.client.deleteBid(bid).catch((e) => this.o.log(`job ${ref.jobId}: deleting bid ${bid}: ${redact((e as Error).message)}`));
    if (l) l.phase = 'ending';
    if (!/rc=\d+/.test(text)) text = `rc=0\nend=${Math.floor(Date.now() / 1000)}\nsig=15\n`;
    if (limit) text += `limit=${limit}\n`;
    writeFileSync(join(dir, 'end'), text);
    this.wake();
  }

  signal(ref: RunRef, signal: number | NodeJS.Signals, target: SignalTarget): void {
    const l = this.live.get(ref.name);
    if (!l?.nodes || l.phase !== 'running') return;
    const D = remoteDir(ref.name);
    const sig = String(signal).replace(/^SIG/, '');
    // the supervisor's group: all of it, the batch shell only, or the rest
    const cmd = target === 'batch'
      ? `kill -${sig} "$(cat ${D}/end.child)"`
      : target === 'all' ? `kill -${sig} -"$(cat ${D}/end.pid)"`
        : `g=$(cat ${D}/end.pid); b=$(cat ${D}/end.child); for p in $(ps -A -o pid= -o pgid= | awk -v g="$g" '$2 == g { print $1 }'); do [ "$p" = "$g" ] || [ "$p" = "$b" ] || kill -${sig} "$p"; done`;
    void this.ssh.run(l.nodes[0]!.dest, `${cmd} 2>/dev/null; true`);
  }

  cancelStep(_step: StepRecord): void {
    // steps on Mithril nodes are not cancelled one by one yet (scancel N.S); the job's cancel ends them
  }

  watch(wake: (what?: { started?: boolean }) => void): () => void {
    this.wake = wake;
    this.releaseForgotten();
    return () => {
      this.wake = () => {};
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
    };
  }
}

/** A tar stream of a directory's contents. */
function tarOf(dir: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-c', '-f', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`tar of ${dir}: ${err.trim() || `exit ${code}`}`))));
  });
}
