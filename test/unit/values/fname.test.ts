import { describe, expect, it } from 'vitest';
import {
  defaultOutputPattern, expandFilenamePattern, expandPatternForScontrol, parseFilenamePattern,
} from '../../../src/job/values/index.js';
import type { PatternContext } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8: jobs run with `sbatch -J my%jname -o <pattern>` (and
// an array, and srun steps inside a job) and the files slurmd created listed; `scontrol show job` StdOut=
// of held jobs (plain and array) for the display form. The oracle's slurmd host name is "vm".
const job: PatternContext = { jobId: 1861, jobName: 'my%jname', user: 'root', nodeName: 'vm', nodeIndex: 0, taskId: 0 };

describe('expandFilenamePattern (the file slurmd opens)', () => {
  it.each([
    ['a-%A_%a-%j-%x-%u-%N-%n-%t-%s-%J-%%.log', 'a-1861_4294967294-1861-my%jname-root-vm-0-0-batch-1861-%.log'],
    ['b-%q-%5j-%12a-%3x-%b-%10N.txt', 'b-%q-01861-4294967294-my%jname-%b-vm.txt'],
    ['c%', 'c%'],
    ['d%5', 'd5'],
    ['e\\%j', 'e%j'], // any backslash: no substitution, backslashes removed
    ['h\\\\x%j', 'h\\x%j'],
    ['z\\', 'z'],
    ['f%%j', 'f%j'],
    ['g-%4a-%04j-%1j-%0j', 'g-4294967294-1861-1861-1861'],
    ['i-%-5j', 'i-%-5j'],
    ['j%%%j', 'j%1861'],
    ['k-%2t%3n%2s', 'k-00000batch'],
    ['l-%Z-%y-%.3j', 'l-%Z-%y-%.3j'],
    ['m-%99j', 'm-0000001861'], // widths cap at 10
    ['n-%010j', 'n-0000001861'],
    ['o-%J-%5J-%5A', 'o-1861-01861-01861'],
    ['p-%-j-%', 'p-%-j-%'],
    ['%5q', '5q'], // after a width an unknown code keeps only the width's last digit
    ['w%5', 'w5'],
    ['%10a%5%j', '429496729451861'],
    ['v%x%x', 'vmy%jnamemy%jname'],
    ['NONE', '/dev/null'],
    ['none', '/dev/null'],
  ])('%j → %s', (pattern, file) => expect(expandFilenamePattern(pattern, job)).toBe(file));

  it('array task', () => {
    const task: PatternContext = { jobId: 1908, arrayJobId: 1879, arrayTaskId: 7, jobName: 'arr', user: 'root', nodeName: 'vm', nodeIndex: 0, taskId: 0 };
    expect(expandFilenamePattern('q-%A_%a-%j-%4a-%s.out', task)).toBe('q-1879_7-1908-0007-batch.out');
  });

  it('srun steps', () => {
    const step = { ...job, jobId: 2431, stepId: 0 };
    expect(expandFilenamePattern('st-%J-%5J-%s-%5s-%t-%2t-%n-%N.out', step)).toBe('st-2431.0-02431.0-0-00000-0-00-0-vm.out');
    expect(expandFilenamePattern('st2-%J-%s.out', { ...step, stepId: 1 })).toBe('st2-2431.1-1.out');
  });

  it('relative to the working directory', () => {
    expect(expandFilenamePattern('slurm-%j.out', { ...job, workDir: '/home/u' })).toBe('/home/u/slurm-1861.out');
    expect(expandFilenamePattern('/tmp/x-%j', { ...job, workDir: '/home/u' })).toBe('/tmp/x-1861');
  });

  it('parts', () => {
    expect(parseFilenamePattern('o-%4a%x.%q')).toEqual({
      ok: true,
      value: [
        { kind: 'text', text: 'o-' },
        { kind: 'code', code: 'a', width: 4 },
        { kind: 'code', code: 'x', width: 0 },
        { kind: 'text', text: '.%q' },
      ],
    });
    expect(parseFilenamePattern('a\\%j')).toEqual({ ok: true, value: [{ kind: 'text', text: 'a%j' }] });
  });
});

describe('expandPatternForScontrol (StdOut=/StdErr= of scontrol show job)', () => {
  const held: PatternContext = { jobId: 1522, jobName: 'myname', user: 'root', nodeName: '', nodeIndex: 0, taskId: 0, workDir: '/tmp/probe' };
  it.each([
    ['out-%A_%a-%j-%x-%u-%N-%n-%t-%%.log', '/tmp/probe/out-1522_4294967294-1522-myname-root-%N-%n-%t-%%.log'],
    ['o-%J-%s-%q-%5j-%12a-%3x-%b.txt', '/tmp/probe/o-%J-%s-%q-%5j-%12a-%3x-%b.txt'],
    ['x%', '/tmp/probe/x%'],
    ['x%5', '/tmp/probe/x%5'],
    ['a\\%j', '/tmp/probe/a\\1522'],
    ['%%j', '/tmp/probe/%1522'],
    ['x%%%j', '/tmp/probe/x%%1522'],
    ['rel/%j.out', '/tmp/probe/rel/1522.out'],
    ['/abs/%j_%4a.out', '/abs/1522_%4a.out'],
    ['none', '/dev/null'],
    ['%0j', '/tmp/probe/%0j'],
    ['%-j', '/tmp/probe/%-j'],
    ['%1a', '/tmp/probe/%1a'],
  ])('%j → %s', (pattern, shown) => expect(expandPatternForScontrol(pattern, held)).toBe(shown));

  it('pending array record: %A is the array id, %a 4294967294', () => {
    expect(expandPatternForScontrol(defaultOutputPattern(true), { ...held, jobId: 1523 })).toBe('/tmp/probe/slurm-1523_4294967294.out');
    expect(expandPatternForScontrol(defaultOutputPattern(false), held)).toBe('/tmp/probe/slurm-1522.out');
  });
});
