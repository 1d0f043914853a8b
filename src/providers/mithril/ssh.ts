/**
 * The driver's one way into an instance: OpenSSH to the instance's
 * `ssh_destination`, with a key the driver made and registered with Mithril.
 * Nothing of an instance is read or written except through here, so the
 * fake market's instances (separate directories, their own sshd) and real
 * ones are reached the same way.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SshResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** `host` or `host:port`, as the API gives ssh_destination. */
export function splitDestination(dest: string): { host: string; port: string } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(dest.trim());
  return { host: m?.[1] ?? dest, port: m?.[2] ?? '22' };
}

export class SshKeys {
  constructor(readonly dir: string) {}

  get privateKey(): string {
    return join(this.dir, 'id_ed25519');
  }

  /** The driver's key pair, made once per state directory; its public half. */
  ensure(): string {
    if (!existsSync(this.privateKey)) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'flow-slurm', '-f', this.privateKey], { stdio: 'ignore' });
      if (r.status !== 0) throw new Error('ssh-keygen failed: cannot make the key the Mithril driver logs in with (is openssh-client installed?)');
    }
    return readFileSync(`${this.privateKey}.pub`, 'utf8').trim();
  }
}

export class Ssh {
  constructor(private readonly keys: SshKeys, private readonly user: string) {}

  args(dest: string, timeoutS: number): string[] {
    const { host, port } = splitDestination(dest);
    return [
      '-i', this.keys.privateKey, '-p', port,
      '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', `ConnectTimeout=${Math.max(1, Math.ceil(timeoutS))}`, '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=2',
      `${this.user}@${host}`,
    ];
  }

  /** Run a command on the instance (a POSIX sh command line), with stdin; never throws. */
  run(dest: string, command: string, opts: { input?: Buffer | string; timeoutMs?: number } = {}): Promise<SshResult> {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    return new Promise((resolve) => {
      const child = spawn('ssh', [...this.args(dest, timeoutMs / 1000), command], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ status: 255, stdout: Buffer.alloc(0), stderr: e.message });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ status: code ?? (signal ? 255 : 1), stdout: Buffer.concat(out), stderr: signal === 'SIGKILL' ? `ssh: no answer within ${timeoutMs / 1000} s` : err.trim() });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
    });
  }
}
