/**
 * squeue answered by the controller (src/served) prints exactly what squeue
 * working on its own prints: same bytes on stdout and stderr, same exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCluster } from '../helpers/cluster.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

let c: TestCluster;
let done: number;
beforeAll(async () => {
  // the golden config: it has accounting (slurmdbd), so sacct answers too
  c = new TestCluster({ confText: readFileSync(join(GOLDEN_DIR, 'slurm.conf'), 'utf8') });
  done = c.submit(['-J', 'quick', '-o', '/dev/null', '--wrap', 'exit 3']);
  c.submit(['-H', '-J', 'held', '-o', '/dev/null', '--wrap', 'true']);
  c.submit(['-H', '--array=0-99%5', '-p', 'a100', '-o', '/dev/null', '--wrap', 'true']);
  const running = c.submit(['-J', 'runs', '-N2', '-o', '/dev/null', '--wrap', 'sleep 60']);
  c.submit(['-J', 'after', `--dependency=afterok:${running}`, '-o', '/dev/null', '--wrap', 'true']);
  await c.waitState(running, ['RUNNING']);
  await c.waitState(done, ['FAILED']);
  // a controller of this build is up and has announced itself
  await c.waitFor('the controller answering', () => c.run('squeue', ['-h'], { env: { FLOW_SERVED: 'only' } }).status === 0);
});
afterAll(async () => {
  c.run('scancel', ['-u', process.env.USER ?? 'root']);
  await c.destroy();
});

/**
 * The same command answered by the controller and worked out alone give the same result. A running
 * job's TIME (or Elapsed) moves on between the two runs when a second turns: such a pair is run again.
 */
function bothWays(command: string, args: string[]): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    const served = c.run(command, args, { env: { FLOW_SERVED: 'only' } });
    const local = c.run(command, args, { env: { FLOW_SERVED: '0' } });
    if (attempt === 2) expect(served).toEqual(local);
    if (JSON.stringify(served) === JSON.stringify(local)) return true;
  }
  return false;
}

describe('squeue answered by the controller', () => {
  it.each([
    [[]],
    [['-h']],
    [['-r', '-o', '%i|%T|%r|%P|%D|%C|%m|%l|%j|%u|%a|%q']],
    [['-t', 'all', '--sort=-i']],
    [['-O', 'JobID:20,State:.12,Reason,NumNodes,Partition:|']],
    [['--me', '-h', '-o', '%A_%a %K']],
    [['-u', 'root,nosuchuser', '-h']],
    [['-j', '999999']],
    [['-j', '999999,1000', '-h']],
    [['-o', '%i %y %Z']],
    [['--bogus']],
    [['-t', 'NOPE']],
  ])('%j', (args) => {
    expect(bothWays('squeue', args)).toBe(true);
  });
});

describe('sacct answered by the controller', () => {
  it.each([
    [[]],
    [['-X', '-P', '-n', '-o', 'JobID,JobName,State,ExitCode,NNodes,Partition']],
    [['-j', 'DONE', '-o', 'JobID%20,State,ExitCode,Elapsed,Start,End']],
    [['--json', '-j', 'DONE']],
    [['-s', 'F', '-X', '-p']],
    [['-u', 'nosuchuser']],
    [['-o', 'Bogus']],
    [['-j', 'x']],
  ])('%j', (args) => {
    expect(bothWays('sacct', args.map((a) => a.replace('DONE', String(done))))).toBe(true);
  });
});

describe('the controller keeps the listing between answers', () => {
  it('and reads it again as soon as a job changes', () => {
    const served = (args: string[]) => c.run('squeue', args, { env: { FLOW_SERVED: 'only' } }).stdout;
    const lines = (text: string) => text.split('\n').filter(Boolean).sort();
    const before = served(['-h', '-o', '%i %T']);
    const id = c.submit(['-H', '-J', 'fresh', '-o', '/dev/null', '--wrap', 'true']);
    expect(lines(served(['-h', '-o', '%i %T']))).toEqual(lines(`${id} PENDING\n${before}`));
    c.run('scancel', [String(id)]);
    expect(served(['-h', '-t', 'all', '-j', String(id), '-o', '%i %T'])).toBe(`${id} CANCELLED\n`);
    expect(served(['-h', '-o', '%i %T'])).toBe(before);
  });

  it('and the accounting lines too', async () => {
    const acct = () => c.run('sacct', ['-X', '-n', '-P', '-o', 'JobID,State'], { env: { FLOW_SERVED: 'only' } }).stdout;
    const before = acct();
    const id = c.submit(['-o', '/dev/null', '--wrap', 'true']);
    await c.waitState(id, ['COMPLETED']);
    expect(acct().split('\n')).toContain(`${id}|COMPLETED`);
    expect(before.split('\n')).not.toContain(`${id}|COMPLETED`);
  });
});
