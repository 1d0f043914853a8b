/**
 * sinfo in-process (no Redis): the golden cluster's slurm.conf, no job or one
 * running 2-GPU job on gpu1, against what real Slurm 22.05.8 printed for the
 * same queries (fixtures/golden/recorded/cluster.json), then the options the
 * recordings do not cover, with the output Slurm's sinfo source gives.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sinfo } from '../../../src/commands/sinfo.js';
import type { HeldResources } from '../../../src/cluster/node-view.js';
import type { IO } from '../../../src/commands/io.js';

const ROOT = join(__dirname, '..', '..', '..');
const CONF = join(ROOT, 'fixtures', 'golden', 'slurm.conf');
const STATE = mkdtempSync(join(tmpdir(), 'sinfo-unit-'));
/** the recording's clock (sinfo -l prints it) */
const NOW = new Date(2026, 10, 28, 21, 22, 16);

/** `sbatch -J busy --gres=gpu:2 -c 4 --mem=8G` running on gpu1 */
const BUSY: HeldResources[] = [{ state: 'RUNNING', alloc: [{ node: 'gpu1', cpus: 4, memMb: 8192, gpus: [0, 1] }] }];

async function run(argv: string[], held: HeldResources[] = [], env: Record<string, string> = {}): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => Buffer.alloc(0),
    env: { SLURM_CONF: CONF, FLOW_STATE_DIR: STATE, ...env },
    cwd: ROOT,
    now: () => NOW,
  };
  const exit = await sinfo(argv, io, { held: async () => held, host: () => ({ cpuLoad: 100, freeMem: 22606 }), sleep: async () => {} });
  return { exit, stdout, stderr };
}

interface Recorded { id: string; argv: string[]; exit: number; stdout: string; stderr: string }
const recording = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'golden', 'recorded', 'cluster.json'), 'utf8')) as { queries: Recorded[] };
const scenario = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'golden', 'scenarios', 'cluster.json'), 'utf8')) as { steps: Record<string, unknown>[] };
const firstSubmit = scenario.steps.findIndex((s) => 'submit' in s);
const busyIds = new Set(scenario.steps.slice(firstSubmit).filter((s) => 'query' in s).map((s) => s.id as string));
const cases = recording.queries.filter((q) => q.argv[0] === 'sinfo' && q.id !== 'sinfo-version');

describe('sinfo against real Slurm 22.05.8 (golden cluster scenario)', () => {
  it.each(cases.map((q) => [q.id, q] as const))('%s', async (_id, q) => {
    const r = await run(q.argv.slice(1), busyIds.has(q.id) ? BUSY : []);
    expect(r).toEqual({ exit: q.exit, stdout: q.stdout, stderr: q.stderr });
  });

  it('--version prints exactly `slurm 22.05.8` (Debian prints slurm-wlm; clients split on one space)', async () => {
    expect(await run(['--version'])).toEqual({ exit: 0, stdout: 'slurm 22.05.8\n', stderr: '' });
    expect(await run(['-V'])).toEqual({ exit: 0, stdout: 'slurm 22.05.8\n', stderr: '' });
  });
});

describe('sinfo options', () => {
  const table: [string, string[], HeldResources[], string][] = [
    ['-s: one line per partition, nodes as A/I/O/T', ['-s'], BUSY, [
      'PARTITION AVAIL  TIMELIMIT   NODES(A/I/O/T) NODELIST',
      'h100*        up   infinite          1/1/0/2 gpu[1-2]',
      'a100         up   infinite          0/2/0/2 gpu[3-4]',
    ].join('\n')],
    ['-l: the date line, long states and partition limits', ['-l'], BUSY, [
      'Sat Nov 28 21:22:16 2026',
      'PARTITION AVAIL  TIMELIMIT   JOB_SIZE ROOT OVERSUBS     GROUPS  NODES       STATE NODELIST',
      'h100*        up   infinite 1-infinite   no       NO        all      1       mixed gpu1',
      'h100*        up   infinite 1-infinite   no       NO        all      1        idle gpu2',
      'a100         up   infinite 1-infinite   no       NO        all      2        idle gpu[3-4]',
    ].join('\n')],
    ['-p: only that partition', ['-p', 'a100'], [], [
      'PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST',
      'a100         up   infinite      2   idle gpu[3-4]',
    ].join('\n')],
    ['-t: partitions without such nodes still get a line (0 nodes, n/a)', ['-t', 'alloc'], BUSY, [
      'PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST',
      'h100*        up   infinite      1    mix gpu1',
      'a100         up   infinite      0    n/a ',
    ].join('\n')],
    ['--states=idle,mix (prefixes of compact or long names)', ['--states=i,mix', '-h'], BUSY, [
      'h100*        up   infinite      1    mix gpu1',
      'h100*        up   infinite      1   idle gpu2',
      'a100         up   infinite      2   idle gpu[3-4]',
    ].join('\n')],
    ['-n: those nodes', ['-n', 'gpu[2-3]', '-N', '-h'], [], [
      'gpu2           1     h100* idle  ',
      'gpu3           1      a100 idle  ',
    ].join('\n')],
    ['-o without %P merges partitions; %C counts CPUs once per node', ['-o', '%D %C %t'], BUSY, [
      'NODES CPUS(A/I/O/T) STATE',
      '1 4/28/0/32 mix',
      '3 0/96/0/96 idle',
    ].join('\n')],
    ['-S: sort keys (descending node list)', ['-N', '-h', '-S', '-N', '-o', '%N %t'], BUSY, ['gpu4 idle', 'gpu3 idle', 'gpu2 idle', 'gpu1 mix'].join('\n')],
    ['widths, right justification and cutting', ['-o', '%.3P|%2a|%4l|%R'], [], [
      'PAR|AV|TIME|PARTITION',
      'h1*|up|infi|h100',
      'a10|up|infi|a100',
    ].join('\n')],
    ['-O suffixes and widths; a bare name is 20 wide; no partition field: one line', ['-h', '-O', 'NodeList:\x1f,CPUsState:.14,Memory'], [],
      'gpu[1-4]\x1f   0/128/0/128256000              '],
    ['%z, %X/%Y/%Z, %d, %w, %G, %f, %E, %o, %n, %v', ['-N', '-h', '-n', 'gpu3', '-o', '%z %X %Y %Z %d %w %G %f %E %o %n %v'], [], '2:16:1 2 16 1 0 1 gpu:a100:8 a100,gpu none 127.0.0.1 localhost 22.05.8'],
    ['-T: reservations', ['-T'], [], 'No reservations in the system'],
    ['-R: no node is down, drained or failing', ['-R'], [], 'REASON               USER      TIMESTAMP           NODELIST'],
  ];
  it.each(table)('%s', async (_title, argv, held, expected) => {
    expect(await run(argv, held)).toEqual({ exit: 0, stdout: `${expected}\n`, stderr: '' });
  });

  it('an unknown -o letter is complained about and printed as text', async () => {
    expect(await run(['-h', '-o', '%P %q'])).toEqual({ exit: 0, stdout: 'h100* %q\na100 %q\n', stderr: 'Invalid node format specification: q\n' });
  });

  it('an unknown -O field is an error line, the rest is printed', async () => {
    expect(await run(['-h', '-O', 'partition:6,bogus'])).toEqual({ exit: 0, stdout: 'h100* \na100  \n', stderr: 'sinfo: error: Invalid job format specification: bogus\n' });
  });

  it('SINFO_FORMAT replaces the default format', async () => {
    expect((await run(['-h'], [], { SINFO_FORMAT: '%R:%D' })).stdout).toBe('h100:2\na100:2\n');
  });

  const errors: [string, string[], string][] = [
    ['bad state', ['-t', 'bogus'], 'sinfo: error: Bad state string: "bogus"\nsinfo: error: valid states: unknown,down,idle,allocated,?,mixed,future,drain,drained,draining,no_respond,reserved,perfctrs,cloud,completing,powering_down,powered_down,power_down,powering_up,fail,maint,reboot,reboot^,unknown\n'],
    ['unknown option', ['--bogus'], 'sinfo: unrecognized option \'--bogus\'\nTry "sinfo --help" for more information\n'],
    ['missing argument', ['-p'], 'sinfo: option requires an argument -- \'p\'\nTry "sinfo --help" for more information\n'],
    ['-a with -p', ['-a', '-p', 'h100'], 'sinfo: error: Conflicting options, -a and -p, specified. Please choose one or the other.\n'],
    ['bad --nodes', ['-n', 'gpu[3-1]'], 'sinfo: error: _parse_single_range: Invalid range: `3-1\'\nsinfo: error: \'gpu[3-1]\' invalid entry for --nodes\n'],
    ['unknown single node', ['-n', 'gpu9'], 'slurm_load_node: Invalid node name specified\n'],
    ['bad --iterate', ['-i', '0'], 'sinfo: error: Error: invalid entry for --iterate=0\n'],
  ];
  it.each(errors)('error: %s', async (_title, argv, stderr) => {
    expect(await run(argv)).toEqual({ exit: 1, stdout: '', stderr });
  });
});
