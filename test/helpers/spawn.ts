/** spawnSync's answer without blocking the event loop, so tests of one file can overlap. */
import { spawn } from 'node:child_process';

export interface Spawned {
  status: number;
  stdout: string;
  stderr: string;
  /** the bytes as written (a cut inside a UTF-8 character stays as it is) */
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
}

export function spawnAsync(
  file: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; timeout?: number } = {},
): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = opts.timeout ? setTimeout(() => child.kill('SIGKILL'), opts.timeout) : undefined;
    const done = (status: number) => {
      if (timer) clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderrBytes = Buffer.concat(err);
      resolve({ status, stdout: stdoutBytes.toString('utf8'), stderr: stderrBytes.toString('utf8'), stdoutBytes, stderrBytes });
    };
    child.on('error', (e) => {
      err.push(Buffer.from(`${e.message}\n`));
      done(-1);
    });
    child.on('close', (code) => done(code ?? -1));
    child.stdin.on('error', () => undefined); // a command that does not read its stdin
    child.stdin.end(opts.input ?? '');
  });
}
