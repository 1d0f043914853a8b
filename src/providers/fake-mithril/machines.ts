/**
 * Instances as real machines in miniature. Each has a root directory of its
 * own (its "disk", kept across preemptions until the bid ends), with
 *
 *   home/                       the working directory and HOME of its processes
 *   bin/hostname                prints the instance's name (-I, -i: its address)
 *   opt/mithril/MITHRIL_SIGNAL.yml   the signal file of a preemption or relocation
 *   var/log/startup_script.log  what the startup script wrote
 *   etc/ssh/                    its sshd's config and authorized_keys
 *
 * and an address of its own in 127.0.0.0/8. Booting starts an sshd (Debian's
 * openssh-server) on that address with the launch specification's keys, and,
 * on the first boot only (as on Mithril), the bid's startup script as a
 * process tree in its own session. Every process of the instance carries
 * FLOW_EMULATOR_INSTANCE=<fid> in its environment, ssh sessions included, so
 * halting finds them all: SIGTERM, then SIGKILL after a grace period.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { MachineSpec, Machines, SignalFile } from './market.js';
import { shQuote as q } from '../../sh-quote.js';

export interface MachinesOptions {
  /** the directory that holds every instance's root */
  root: string;
  /** sshd to start for each instance; null: none (the instances cannot be reached) */
  sshd: string | null;
  /** between SIGTERM and SIGKILL when an instance is halted */
  graceMs: number;
  log: (line: string) => void;
}

export const SIGNAL_FILE = 'opt/mithril/MITHRIL_SIGNAL.yml';

/**
 * The instances' `docker`: the fake market has no container runtime. `docker
 * run [options] IMAGE CMD...` appends the image to var/log/containers.log,
 * takes -w (and -e NAME=VALUE), sets FLOW_EMULATOR_IMAGE, and runs CMD on the
 * instance itself; anything else fails saying so.
 */
const DOCKER_SHIM = `#!/bin/sh
# the fake market's docker: no container runtime, the command runs on the instance
[ "$1" = run ] || { echo "docker (flow emulator): only docker run is emulated" >&2; exit 125; }
shift
while [ $# -gt 0 ]; do
  case "$1" in
    -w|--workdir) cd "$2" || exit 125; shift 2 ;;
    -e|--env) case "$2" in *=*) export "$2" ;; esac; shift 2 ;;
    -v|--volume|--network|--ipc|--gpus|--name|-u|--user|--env-file|--entrypoint|--shm-size) shift 2 ;;
    --*=*|--rm|--init|-i|-t|-it|--privileged) shift ;;
    -*) echo "docker (flow emulator): option $1 is not emulated" >&2; exit 125 ;;
    *) break ;;
  esac
done
image=$1
shift
echo "$image" >> "$FLOW_EMULATOR_ROOT/var/log/containers.log"
FLOW_EMULATOR_IMAGE=$image exec "$@"
`;
const MARK = 'FLOW_EMULATOR_INSTANCE';

/** sshd where Debian puts it, if it is installed. */
export function findSshd(): string | null {
  for (const p of ['/usr/sbin/sshd', '/usr/local/sbin/sshd']) if (existsSync(p)) return p;
  return null;
}


interface Live {
  generation: number;
  groups: Set<number>;
}

export class ProcessMachines implements Machines {
  readonly #o: MachinesOptions;
  readonly #live = new Map<string, Live>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #hostKey: string | null = null;

  constructor(options: MachinesOptions) {
    this.#o = options;
    mkdirSync(options.root, { recursive: true });
  }

  rootOf(fid: string): string {
    return join(this.#o.root, fid);
  }

  /** One host key for all the instances' sshd, made on first use. */
  #key(): string {
    if (this.#hostKey) return this.#hostKey;
    const file = join(this.#o.root, 'ssh_host_ed25519_key');
    if (!existsSync(file)) {
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'flow-emulator', '-f', file], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error('ssh-keygen failed: cannot make a host key for the instances');
    }
    this.#hostKey = file;
    return file;
  }

  #env(m: MachineSpec, root: string): Record<string, string> {
    const user = userInfo().username;
    return {
      PATH: `${root}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: `${root}/home`,
      HOSTNAME: m.hostname,
      USER: user,
      LOGNAME: user,
      SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
      LANG: 'C.UTF-8',
      [MARK]: m.fid,
      FLOW_EMULATOR_ROOT: root,
    };
  }

  /** The instance's files for this boot: its name and address may be new (a relocation moves it). */
  #lay(m: MachineSpec, root: string): void {
    for (const d of ['home', 'bin', 'opt/mithril', 'var/log', 'etc/ssh', 'etc/flow-emulator']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'bin/hostname'), [
      '#!/bin/sh',
      '# this instance\'s name and address, as `hostname` gives them on a real machine',
      'case "$1" in',
      `  -I|--all-ip-addresses) echo ${q(`${m.ip} `)} ;;`,
      `  -i|--ip-address) echo ${q(m.ip)} ;;`,
      `  *) echo ${q(m.hostname)} ;;`,
      'esac',
      '',
    ].join('\n'));
    chmodSync(join(root, 'bin/hostname'), 0o755);
    // no container runtime here: `docker run` records the image and runs the command without one
    writeFileSync(join(root, 'bin/docker'), DOCKER_SHIM);
    chmodSync(join(root, 'bin/docker'), 0o755);
    writeFileSync(join(root, 'etc/ssh/authorized_keys'), m.authorizedKeys.map((k) => `${k}\n`).join(''), { mode: 0o600 });
    const env = this.#env(m, root);
    // what an ssh session runs: the instance's environment, in its home, then the command or a shell
    writeFileSync(join(root, 'etc/flow-emulator/login'), [
      '#!/bin/sh',
      ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
      'cd "$HOME" || exit 1',
      'if [ -n "$SSH_ORIGINAL_COMMAND" ]; then exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"; fi',
      'exec "$SHELL" -i',
      '',
    ].join('\n'));
    chmodSync(join(root, 'etc/flow-emulator/login'), 0o755);
  }

  #spawn(m: MachineSpec, live: Live, cmd: string, args: string[], log: string, cwd: string, env: Record<string, string>): void {
    const fd = openSync(log, 'a');
    try {
      const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
      child.on('error', (e) => this.#o.log(`flow emulator: ${m.fid}: ${cmd}: ${e.message}`));
      if (child.pid !== undefined) live.groups.add(child.pid);
      child.unref();
    } finally {
      closeSync(fd);
    }
  }

  boot(m: MachineSpec, first: boolean): Promise<void> {
    const root = this.rootOf(m.fid);
    this.#lay(m, root);
    // a machine that boots has no notice pending (a preemption's file does not outlive it)
    rmSync(join(root, SIGNAL_FILE), { force: true });
    const live = this.#live.get(m.fid) ?? { generation: 0, groups: new Set<number>() };
    this.#live.set(m.fid, live);
    const generation = live.generation;
    const env = this.#env(m, root);
    // everything is started now, before any wait: a halt that comes while we wait finds it all
    if (this.#o.sshd) {
      if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      const config = join(root, 'etc/ssh/sshd_config');
      writeFileSync(config, [
        `ListenAddress ${m.ip}:${m.sshPort}`,
        `HostKey ${this.#key()}`,
        // the launch specification's keys, and the user's own (~/.ssh/authorized_keys, as on a real instance)
        `AuthorizedKeysFile ${join(root, 'etc/ssh/authorized_keys')} ${join(root, 'home/.ssh/authorized_keys')}`,
        `ForceCommand ${join(root, 'etc/flow-emulator/login')}`,
        'PidFile none',
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'PrintMotd no',
        'LogLevel ERROR',
        '',
      ].join('\n'));
      this.#spawn(m, live, this.#o.sshd, ['-D', '-e', '-f', config], join(root, 'var/log/sshd.log'), root, env);
    }
    if (first && m.startupScript) {
      const file = join(root, 'var/lib/startup_script');
      mkdirSync(join(root, 'var/lib'), { recursive: true });
      writeFileSync(file, m.startupScript, { mode: 0o755 });
      const [cmd, args] = m.startupScript.startsWith('#!') ? [file, []] : [env.SHELL!, [file]];
      this.#spawn(m, live, cmd, args, join(root, 'var/log/startup_script.log'), join(root, 'home'), env);
    }
    if (!this.#o.sshd) return Promise.resolve();
    return this.#reachable(m.ip, m.sshPort, () => live.generation !== generation);
  }

  /** Resolves once something accepts connections at ip:port (or the machine was halted meanwhile). */
  async #reachable(ip: string, port: number, halted: () => boolean): Promise<void> {
    for (let waited = 0; waited < 10_000; waited += 25) {
      if (halted()) return;
      const up = await new Promise<boolean>((resolve) => {
        const s = connect({ host: ip, port }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`sshd did not listen on ${ip}:${port}`);
  }

  signal(m: MachineSpec, file: SignalFile | null): void {
    const path = join(this.rootOf(m.fid), SIGNAL_FILE);
    if (file === null) {
      rmSync(path, { force: true });
      return;
    }
    mkdirSync(join(this.rootOf(m.fid), 'opt/mithril'), { recursive: true });
    writeFileSync(`${path}.tmp`, `instance_status: ${file.instance_status}\nbid_status: ${file.bid_status}\nend_time: '${file.end_time}'\n`);
    renameSync(`${path}.tmp`, path);
  }

  halt(m: MachineSpec): void {
    const live = this.#live.get(m.fid);
    if (live) live.generation++;
    const groups = live ? [...live.groups] : [];
    live?.groups.clear();
    this.#kill(m.fid, groups, 'SIGTERM');
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#kill(m.fid, groups, 'SIGKILL');
    }, this.#o.graceMs);
    this.#timers.add(timer);
  }

  /** Signal the instance's process groups, then any process that carries its mark (ssh sessions, daemons it started). */
  #kill(fid: string, groups: number[], signal: NodeJS.Signals): void {
    for (const g of groups) {
      try {
        process.kill(-g, signal);
      } catch {
        // already gone
      }
    }
    for (const pid of marked(fid)) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Halt everything still running, and wait for the grace period to pass. */
  async close(): Promise<void> {
    const all = [...this.#live.keys()];
    for (const fid of all) {
      const live = this.#live.get(fid)!;
      live.generation++;
      this.#kill(fid, [...live.groups], 'SIGKILL');
      live.groups.clear();
    }
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    // anything of theirs that was between fork and exec a moment ago
    await new Promise((r) => setTimeout(r, 50));
    for (const fid of all) this.#kill(fid, [], 'SIGKILL');
  }
}

/** Pids whose environment carries the instance's mark (Linux /proc; elsewhere none are found). */
export function marked(fid: string): number[] {
  const needle = Buffer.from(`\0${MARK}=${fid}\0`);
  const first = Buffer.from(`${MARK}=${fid}\0`);
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`);
      if (env.includes(needle) || env.subarray(0, first.length).equals(first)) out.push(Number(e));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
