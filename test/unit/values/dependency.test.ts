import { describe, expect, it } from 'vitest';
import { formatDependency, parseDependency, resolveDependency } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8 (MaxArraySize=100001): held jobs 672, 673 and a held
// array 674 (1-3), then `sbatch --hold -d <value>` and `scontrol show job` Dependency=. Every rejection
// is the controller's, exit 1: `sbatch: error: Batch job submission failed: Job dependency problem`
// (`expand:` → `... failed: Requested operation not supported on this system`).
const shown = (text: string): string => {
  const r = parseDependency(text, { maxArraySize: 100001 });
  if (!r.ok) return `ERR ${r.error.message}`;
  const text2 = formatDependency(resolveDependency(r.value, (id) => id === 674), () => 'unfulfilled');
  return text2 === '' ? '(null)' : text2;
};

describe('parseDependency → Dependency=', () => {
  it.each([
    ['afterok:672', 'afterok:672(unfulfilled)'],
    ['afterok:672:673', 'afterok:672(unfulfilled),afterok:673(unfulfilled)'],
    ['afterok:672,afterany:673', 'afterok:672(unfulfilled),afterany:673(unfulfilled)'],
    ['afterok:672?afterany:673', 'afterok:672(unfulfilled)?afterany:673(unfulfilled)'],
    // one '?' turns every separator into OR
    ['afterok:672,afterany:673?afternotok:672', 'afterok:672(unfulfilled)?afterany:673(unfulfilled)?afternotok:672(unfulfilled)'],
    ['afterok:672?afterany:673,afternotok:672', 'afterok:672(unfulfilled)?afterany:673(unfulfilled)?afternotok:672(unfulfilled)'],
    ['afterok:672:673?afterany:672', 'afterok:672(unfulfilled)?afterok:673(unfulfilled)?afterany:672(unfulfilled)'],
    ['672', 'afterany:672(unfulfilled)'],
    ['672,673', 'afterany:672(unfulfilled),afterany:673(unfulfilled)'],
    ['0672', 'afterany:672(unfulfilled)'],
    ['672_1', 'afterany:672_1(unfulfilled)'],
    ['674_*', 'afterany:674_*(unfulfilled)'],
    ['after:672+5', 'after:672+5(unfulfilled)'],
    ['after:672+5:673', 'after:672+5(unfulfilled),after:673+5(unfulfilled)'], // the delay carries on
    ['after:672+5:673+7', 'after:672+5(unfulfilled),after:673+7(unfulfilled)'],
    ['after:672+5,afterany:673', 'after:672+5(unfulfilled),afterany:673(unfulfilled)'], // not across terms
    ['afterany:672+5', 'afterany:672+5(unfulfilled)'],
    ['afterok:672+5', 'afterok:672+5(unfulfilled)'],
    ['afterok:672+5+3', 'afterok:672+5(unfulfilled)'],
    ['afterok:672+5x', 'afterok:672+5(unfulfilled)'],
    ['afterok:672+ 5', 'afterok:672+5(unfulfilled)'],
    ['afterok:672+05', 'afterok:672+5(unfulfilled)'],
    ['after:672+99999999999', 'after:672+70427578(unfulfilled)'], // uint32 seconds
    ['after:672+71582789', 'after:672+0(unfulfilled)'],
    ['singleton', 'singleton(unfulfilled)'],
    ['SINGLETON', 'singleton(unfulfilled)'],
    ['singleton?singleton', 'singleton(unfulfilled)'],
    ['singleton,672', 'singleton(unfulfilled),afterany:672(unfulfilled)'],
    ['afterok:672?singleton', 'afterok:672(unfulfilled)?singleton(unfulfilled)'],
    ['afterok:674_2', 'afterok:674_2(unfulfilled)'],
    ['afterok:674_*', 'afterok:674_*(unfulfilled)'],
    ['afterok:674', 'afterok:674_*(unfulfilled)'], // a whole array
    ['aftercorr:674', 'aftercorr:674_*(unfulfilled)'],
    ['aftercorr:672', 'aftercorr:672(unfulfilled)'],
    ['afterburstbuffer:672', 'afterburstbuffer:672(unfulfilled)'],
    ['afterburstbuffer:674', 'afterburstbuffer:674_*(unfulfilled)'],
    ['afterOK:672', 'afterok:672(unfulfilled)'],
    ['AfterAny:672', 'afterany:672(unfulfilled)'],
    ['afterok:999999', 'afterok:999999(unfulfilled)'], // unknown ids are accepted
    ['afterok:672_', 'afterok:672_0(unfulfilled)'],
    ['afterok:674_[1-2]', 'afterok:674_1(unfulfilled),afterok:674_2(unfulfilled)'],
    ['afterok:674_[1,3]', 'afterok:674_1(unfulfilled),afterok:674_3(unfulfilled)'],
    ['afterok:674_[2,1]', 'afterok:674_1(unfulfilled),afterok:674_2(unfulfilled)'],
    ['afterok:674_[3-4,1]', 'afterok:674_1(unfulfilled),afterok:674_3(unfulfilled),afterok:674_4(unfulfilled)'],
    ['afterok:674_[1,]', 'afterok:674_0(unfulfilled),afterok:674_1(unfulfilled)'],
    ['afterok:674_[ ]', 'afterok:674_0(unfulfilled)'],
    ['afterok:674_[a]', 'afterok:674_0(unfulfilled)'],
    ['afterok:674_[*]', 'afterok:674_0(unfulfilled)'],
    ['afterok:674_[1a]', 'afterok:674_1(unfulfilled)'],
    ['afterok:674_[1 -2]', 'afterok:674_1(unfulfilled),afterok:674_2(unfulfilled)'],
    ['afterok:674_[100000]', 'afterok:674_100000(unfulfilled)'],
    ['afterok:674_200000', 'afterok:674_200000(unfulfilled)'],
    // a +delay after a task list goes to its last task only; an earlier delay carries to all
    ['afterok:674_[1-2]+5', 'afterok:674_1(unfulfilled),afterok:674_2+5(unfulfilled)'],
    ['afterok:674_[1-2]+5:673+3', 'afterok:674_1(unfulfilled),afterok:674_2+5(unfulfilled),afterok:673+3(unfulfilled)'],
    ['afterok:673+3:674_[1-2]', 'afterok:673+3(unfulfilled),afterok:674_1+3(unfulfilled),afterok:674_2+3(unfulfilled)'],
    ['afterok:672+5:674_[1-2]', 'afterok:672+5(unfulfilled),afterok:674_1+5(unfulfilled),afterok:674_2+5(unfulfilled)'],
    ['after:674_[1-2]+5,after:673', 'after:674_1(unfulfilled),after:674_2+5(unfulfilled),after:673(unfulfilled)'],
    ['afterok:674_[1-2]:673', 'afterok:674_1(unfulfilled),afterok:674_2(unfulfilled),afterok:673(unfulfilled)'],
    ['afterok:674_[1-2]?afterany:673', 'afterok:674_1(unfulfilled)?afterok:674_2(unfulfilled)?afterany:673(unfulfilled)'],
    ['afterok:674_1+2_3', 'afterok:674_1+2(unfulfilled)'],
    ['afterok:674_2+5', 'afterok:674_2+5(unfulfilled)'],
    ['afterok:674_*+5', 'afterok:674_*+5(unfulfilled)'],
    ['afterok:674_01', 'afterok:674_1(unfulfilled)'],
    ['afterok:674_-1', 'afterok:674_*(unfulfilled)'],
    ['afterok:674_4294967294', 'afterok:674_*(unfulfilled)'],
    ['afterok:672_4294967295', 'afterok:672_*(unfulfilled)'],
    ['afterok:672_4294967294', 'afterok:672(unfulfilled)'],
    ['afterok:672_-2', 'afterok:672(unfulfilled)'],
    ['afterany:674_1:674_2', 'afterany:674_1(unfulfilled),afterany:674_2(unfulfilled)'],
    ['afterok:674_*:673', 'afterok:674_*(unfulfilled),afterok:673(unfulfilled)'],
    ['afterok:+5', 'afterok:5(unfulfilled)'],
    ['after:672:+5', 'after:672(unfulfilled),after:5(unfulfilled)'],
    ['afterok:-1', 'afterok:4294967295(unfulfilled)'],
    ['afterok:4294967295', 'afterok:4294967295(unfulfilled)'],
    ['afterok:4294967294', 'afterok:4294967294(unfulfilled)'],
    ['afterok: 672', 'afterok:672(unfulfilled)'],
    ['afterok:+672', 'afterok:672(unfulfilled)'],
    ['afterok:0672', 'afterok:672(unfulfilled)'],
    // duplicates keep the first
    ['afterany:672:672', 'afterany:672(unfulfilled)'],
    ['afterok:672,afterok:672', 'afterok:672(unfulfilled)'],
    ['afterok:672?afterok:672', 'afterok:672(unfulfilled)'],
    ['afterok:672,afterok:673,afterok:672', 'afterok:672(unfulfilled),afterok:673(unfulfilled)'],
    ['after:672+5,after:672', 'after:672+5(unfulfilled)'],
    ['after:672,after:672+5', 'after:672(unfulfilled)'],
    ['afterok:674,afterok:674_*', 'afterok:674_*(unfulfilled)'],
    ['after:672:673,afterany:673:672', 'after:672(unfulfilled),after:673(unfulfilled),afterany:673(unfulfilled),afterany:672(unfulfilled)'],
    ['', '(null)'],
  ])('%j → %s', (text, expected) => expect(shown(text)).toBe(expected));

  it.each([
    '672:673', 'foo:1', 'afterok:', 'afterok', 'afterok:abc', 'afterok:672,', ',afterok:672', 'afterok:672,,afterany:673',
    'after:672+0', 'after:672+-5', 'after:672+x', 'afterok:672 afterany:673', 'singleton:5', 'singleton+5', 'singleton:',
    'afterok:672:', 'afterok::672', 'afterok:0', 'afterok:672x', 'afterok:672_x', 'afterok:674_[]', 'afterok:674_[1-2',
    'afterok:674_1-2', 'afterok:672?', '?afterok:672', 'afterok:672??afterok:673', 'afterok:672.0', ' afterok:672',
    'afterok:672 ', 'afterok:674_[1-200000]', 'afterok:674_[100001]', 'afterok:674_[2-1]', 'afterok:674_[,1]',
    'afterok:674_**', 'afterok:674_*x', 'afterok:674_[1-2]x', 'afterok:674_[1]]', 'afterok:*', 'afterok:672__',
    'afterok:4294967296', '672+5', ' 672', '+672', '-1', '674_[1-2]', ',', '?',
  ])('%j: Job dependency problem', (text) => {
    expect(parseDependency(text, { maxArraySize: 100001 })).toMatchObject({
      ok: false,
      error: { message: 'Job dependency problem', side: 'controller' },
    });
  });

  it.each(['expand:672', 'expand:672+5', 'afterok:672,expand:673'])('%j: not supported', (text) => {
    expect(parseDependency(text)).toMatchObject({
      ok: false,
      error: { message: 'Requested operation not supported on this system', side: 'controller' },
    });
  });

  it('gives the raw structure and lets the caller decide each state', () => {
    const r = parseDependency('afterok:20_3,after:21+5?singleton');
    expect(r).toEqual({
      ok: true,
      value: {
        or: true,
        terms: [
          { type: 'afterok', jobId: 20, task: 3 },
          { type: 'after', jobId: 21, delayMinutes: 5 },
          { type: 'singleton' },
        ],
      },
    });
    if (r.ok) {
      expect(formatDependency(r.value, (t) => (t.jobId === 21 ? null : t.jobId === 20 ? 'failed' : 'unfulfilled'))).toBe(
        'afterok:20_3(failed)?singleton(unfulfilled)',
      );
    }
  });

  it('default MaxArraySize is 1001', () => {
    expect(parseDependency('afterok:7_[1000]').ok).toBe(true);
    expect(parseDependency('afterok:7_[1001]').ok).toBe(false);
  });
});
