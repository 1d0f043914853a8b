/**
 * Errors are one clear line: every command, pointed (FLOW_REDIS_URL) at a
 * service that is not Redis or not a sane one (random bytes, a reply cut
 * short, replies of the wrong type, HTTP, silence, a refused connection),
 * says `<cmd>: error: ...` in one line and exits non-zero within its limit
 * (FLOW_REDIS_TIMEOUT), never with a stack trace or a dump of source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMALL_CONF, clockEnv } from '../helpers/cluster.js';
import { FakeServices, type FakeKind } from '../helpers/fake-services.js';
import { ROOT } from '../helpers/oracle.js';
import { spawnAsync, type Spawned } from '../helpers/spawn.js';

const SEED = 20261207;

/** Each command with typical arguments, and the name its error lines carry. */
const COMMANDS: [string, string[], string][] = [
  ['sbatch', ['--wrap', 'true'], 'sbatch'],
  ['squeue', [], 'squeue'],
  ['scancel', ['1'], 'scancel'],
  ['sacct', [], 'sacct'],
  ['scontrol', ['show', 'job', '1'], 'scontrol'],
  ['sinfo', [], 'sinfo'],
  ['srun', ['true'], 'srun'],
  ['salloc', ['true'], 'salloc'],
  ['flow', ['submit', '--wrap', 'true'], 'flow'],
  ['flow', ['controllers'], 'flow'],
  ['flow', ['controller', 'status'], 'flow'],
  ['flow', ['clean'], 'flow'],
];

const KINDS: FakeKind[] = ['garbage', 'truncated', 'wrong-type', 'http', 'silent', 'refused'];

/** A stack frame, Node's own frames, or an error's constructor name as a stack prints it. */
export const STACK_SIGNS = [/^\s+at /m, /node:internal/, /^\w*Error: /m, /\{\s*$/m];

let dir = '';
const services = new FakeServices();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flow-errors-'));
  writeFileSync(join(dir, 'slurm.conf'), `${SMALL_CONF}AccountingStorageType=accounting_storage/slurmdbd\n`);
  await services.start(SEED);
});
afterAll(async () => {
  await services.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs many commands, a few at a time (the machine is shared). */
async function pooled<T, R>(items: T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]!);
    }
  }));
  return out;
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)).filter((f) => statSync(f).isFile());
}

describe(`commands against services that are not Redis (seed ${SEED})`, () => {
  it.each(KINDS)('%s: one error line, non-zero exit, no stack trace', { timeout: 300_000 }, async (kind) => {
    const port = services.ports.get(kind)!;
    const state = join(dir, `state-${kind}`);
    const results = await pooled(COMMANDS, 4, async ([cmd, args, name]) => ({
      cmd: `${cmd} ${args.join(' ')}`,
      name,
      r: await spawnAsync(join(ROOT, 'bin', cmd), args, {
        cwd: dir,
        env: {
          PATH: process.env.PATH, HOME: dir, USER: process.env.USER ?? 'root', ...clockEnv(),
          SLURM_CONF: join(dir, 'slurm.conf'), FLOW_STATE_DIR: state,
          FLOW_REDIS_URL: `redis://127.0.0.1:${port}/0`, FLOW_REDIS_TIMEOUT: '2',
        },
        // far beyond the stated limit: a command still running then hangs
        timeout: 60_000,
      }),
    }));
    const report = (x: { cmd: string; r: Spawned }) => `${x.cmd}: exit ${x.r.status}\n${x.r.stdout}${x.r.stderr}`;
    for (const x of results) {
      expect(x.r.status, report(x)).toBeGreaterThan(0);
      expect(x.r.stdout, report(x)).toBe('');
      expect(x.r.stderr, report(x)).toMatch(new RegExp(`^${x.name}: error: [^\\n]+\\n$`));
      expect(x.r.stderr.length, report(x)).toBeLessThan(600);
      for (const sign of STACK_SIGNS) expect(x.r.stderr, report(x)).not.toMatch(sign);
    }
    // a controller started on the way logs in one-line errors too
    for (const f of filesUnder(state).filter((f) => f.endsWith('.log'))) {
      for (const sign of STACK_SIGNS) expect(readFileSync(f, 'utf8'), f).not.toMatch(sign);
    }
  });
});

describe('a FLOW_REDIS_URL that is not one', () => {
  it.each([
    ['nonsense:hunter2', 'FLOW_REDIS_URL must start with redis://'],
    ['redis://:hunter2@127.0.0.1:6379/abc', 'FLOW_REDIS_URL: what follows the host must be a database number'],
    ['redis://:hunter2 x@[::1/3', 'FLOW_REDIS_URL is not a URL'],
  ])('%s: said in one line, without the password', async (url, said) => {
    for (const cmd of ['sbatch', 'squeue']) {
      const r = await spawnAsync(join(ROOT, 'bin', cmd), cmd === 'sbatch' ? ['--wrap', 'true'] : [], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, SLURM_CONF: join(dir, 'slurm.conf'), FLOW_STATE_DIR: join(dir, 'state-url'), FLOW_REDIS_URL: url },
        timeout: 60_000,
      });
      expect([r.status, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toMatch(new RegExp(`^${cmd}: error: ${said.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\n]*\\n$`));
      expect(r.stderr).not.toContain('hunter2');
    }
  });
});
