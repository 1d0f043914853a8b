/**
 * `flow emulator`: the fake Mithril API in the foreground, until Ctrl-C
 * (SIGINT) or SIGTERM. It prints its URL and the variables to export; with
 * them, our client (and `flow pricing`) talk to it as to the real API. Built
 * as its own bundle (dist/emulator.cjs), loaded only by this subcommand.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { CATALOG } from '../providers/fake-mithril/catalog.js';
import { parseFault, type FaultRule } from '../providers/fake-mithril/faults.js';
import { ProcessMachines, findSshd } from '../providers/fake-mithril/machines.js';
import { parseCapacity, parseDuration, type PoolSpec } from '../providers/fake-mithril/options.js';
import { FakeMithril } from '../providers/fake-mithril/server.js';
import { formatDollars } from '../providers/mithril/money.js';
import { stateDir } from '../state-dir.js';
import type { IO } from './io.js';

export interface EmulatorOptions {
  port?: string;
  host?: string;
  capacity?: string[];
  tick?: string;
  notice?: string;
  startup?: string;
  relocation?: string;
  demand?: string;
  demandLifetime?: string;
  fault?: string[];
  apiKey?: string;
  project?: string[];
  quota?: string;
  seed?: string;
  stateDir?: string;
  sshPort?: string;
  grace?: string;
  verbose?: boolean;
}

export const DEFAULT_CAPACITY = 'h100-80gb.sxm.8x=4@us-central1-a,a100-80gb.sxm.1x=8@us-central1-a';

type Settings = {
  pools: PoolSpec[]; port: number; tickMs: number; noticeMs: number; stageMs: number; relocateMs: number; graceMs: number;
  bidders: number; lifetimeMs: number; faults: FaultRule[]; quota: number; seed: number; sshPort: number;
};

/** The options checked and turned into numbers; the first bad one is the message. */
export function emulatorSettings(o: EmulatorOptions): { ok: true; value: Settings } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  const capacity = parseCapacity((o.capacity ?? [DEFAULT_CAPACITY]).join(','));
  if (!capacity.ok) return fail(capacity.message);
  const durations: Record<string, [string | undefined, string]> = {
    tick: [o.tick, '1s'], notice: [o.notice, '5m'], startup: [o.startup, '2s'], relocation: [o.relocation, '5m'], grace: [o.grace, '2s'], 'demand-lifetime': [o.demandLifetime, '10m'],
  };
  const ms: Record<string, number> = {};
  for (const [name, [given, dflt]] of Object.entries(durations)) {
    const d = parseDuration(given ?? dflt);
    if (!d.ok) return fail(`--${name}: ${d.message}`);
    ms[name] = d.value;
  }
  if (ms.tick! < 10) return fail('--tick: at least 10ms');
  const whole = (text: string | undefined, dflt: number, max = Number.MAX_SAFE_INTEGER) => {
    if (text === undefined) return dflt;
    return /^\d+$/.test(text) && Number(text) <= max ? Number(text) : null;
  };
  const port = whole(o.port, 0, 65535);
  if (port === null) return fail(`--port: not a port: ${o.port}`);
  const bidders = o.demand === undefined ? 0 : Number(o.demand);
  if (!(bidders >= 0 && bidders <= 1000)) return fail(`--demand: not a number of bidders (0 to 1000): ${o.demand}`);
  const quota = whole(o.quota, 64);
  if (quota === null) return fail(`--quota: not a whole number: ${o.quota}`);
  const seed = whole(o.seed, Date.now() % 2 ** 31);
  if (seed === null) return fail(`--seed: not a whole number: ${o.seed}`);
  // 0: a port found free when the emulator starts
  const sshPort = whole(o.sshPort, 0, 65535);
  if (sshPort === null) return fail(`--ssh-port: not a port: ${o.sshPort}`);
  const faults: FaultRule[] = [];
  for (const f of o.fault ?? []) {
    const r = parseFault(f);
    if (!r.ok) return fail(r.message);
    faults.push(r.value);
  }
  return {
    ok: true,
    value: {
      pools: capacity.value, port, tickMs: ms.tick!, noticeMs: ms.notice!, stageMs: ms.startup!, relocateMs: ms.relocation!, graceMs: ms.grace!,
      bidders, lifetimeMs: ms['demand-lifetime']!, faults, quota, seed, sshPort,
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '0.0.0.0', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 2222));
    });
  });
}

export async function emulatorCommand(o: EmulatorOptions, io: IO): Promise<number> {
  const parsed = emulatorSettings(o);
  if (!parsed.ok) {
    io.stderr(`flow: error: ${parsed.message}\n`);
    return 2;
  }
  const s = parsed.value;
  const base = o.stateDir ?? join(stateDir(io.env), 'emulator');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'run-'));
  // instances' sshd listen on their own addresses; a port that nothing holds on all addresses (as a host's own sshd holds 22)
  const sshPort = s.sshPort || await freePort();
  const sshd = findSshd();
  const machines = new ProcessMachines({ root, sshd, graceMs: s.graceMs, log: (line) => io.stderr(`${line}\n`) });
  const server = new FakeMithril({
    pools: s.pools, host: o.host ?? '127.0.0.1', port: s.port, tickMs: s.tickMs, noticeMs: s.noticeMs, stageMs: s.stageMs, relocateMs: s.relocateMs,
    quota: s.quota, demand: s.bidders > 0 ? { bidders: s.bidders, lifetimeMs: s.lifetimeMs } : null, faults: s.faults, seed: s.seed, sshPort,
    projectNames: o.project ?? ['default'], machines, ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    ...(o.verbose ? { log: (line: string) => io.stderr(`${line}\n`) } : {}),
  });
  try {
    await server.start();
  } catch (e) {
    io.stderr(`flow: error: cannot listen on ${o.host ?? '127.0.0.1'}:${s.port}: ${(e as Error).message}\n`);
    await machines.close();
    return 1;
  }
  const out = [
    `flow emulator: a fake Mithril API at ${server.url} (tick ${s.tickMs} ms, preemption notice ${s.noticeMs / 1000} s, seed ${s.seed})`,
    ...s.pools.map((p) => `  ${p.typeName} in ${p.region}: ${p.capacity} instance${p.capacity === 1 ? '' : 's'}, minimum ${formatDollars(CATALOG.find((c) => c.name === p.typeName)!.minimumCents)}/h`),
    `  instances' disks: ${root}${o.stateDir === undefined ? ' (removed when the emulator stops)' : ''}`,
    sshd ? `  ssh to instances as ${userInfo().username} at their ssh_destination (sshd: ${sshd})` : '  no sshd (apt-get install openssh-server): instances cannot be reached by ssh',
    ...s.faults.map((f) => `  fault: ${JSON.stringify(f)}`),
    `export MITHRIL_API_URL=${server.url}`,
    `export MITHRIL_API_KEY=${server.apiKey}`,
    `export MITHRIL_PROJECT=${server.market.projects[0]!.name}`,
    // the emulated instances' sshd runs as this user: the driver logs in as it
    `export MITHRIL_SSH_USER=${userInfo().username}`,
  ];
  io.stdout(`${out.join('\n')}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await server.stop();
  await machines.close();
  // the disks go with the run, unless they were put where the user asked
  if (o.stateDir === undefined) rmSync(root, { recursive: true, force: true });
  io.stderr(`flow emulator: stopped (${signal}); instances halted\n`);
  return 0;
}
