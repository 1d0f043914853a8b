/** sacct's value formats (src/sacct/print.c, src/common/print_fields.c, convert_num_unit2()) and its accounting lines. */
import { describe, expect, it } from 'vitest';
import { AcctLines } from '../../../src/format/sacct/lines.js';
import { convertNum, cpuTimeText, exitText, tresText, UNIT_MEGA, unitOf } from '../../../src/format/sacct/values.js';

describe('sacct values', () => {
  it('memory: up while nothing is lost, a fixed unit with --units (2 decimals), as is with --noconvert', () => {
    expect([convertNum(4096, UNIT_MEGA, {}), convertNum(1536, UNIT_MEGA, {}), convertNum(1000, UNIT_MEGA, {}), convertNum(2097152, UNIT_MEGA, {})])
      .toEqual(['4G', '1.50G', '1000M', '2T']);
    expect([convertNum(1536, UNIT_MEGA, { unit: unitOf('G') }), convertNum(4096, UNIT_MEGA, { unit: unitOf('k') }), convertNum(4096, UNIT_MEGA, { noconvert: true })])
      .toEqual(['1.50G', '4194304K', '4096M']);
    expect(unitOf('x')).toBeUndefined();
  });

  it('exit codes lose 128 from a status of 128 or more; CPU times get milliseconds under an hour', () => {
    expect([exitText('0:0'), exitText('3:0'), exitText('137:9'), exitText('0:15')]).toEqual(['0:0', '3:0', '9:9', '0:15']);
    expect([cpuTimeText(0, 26000), cpuTimeText(65), cpuTimeText(3725), cpuTimeText(90061)]).toEqual(['00:00.026', '00:01:05', '01:02:05', '1-01:01:01']);
  });

  it('TRES by name, memory converted', () => {
    expect(tresText([{ name: 'node', count: 1 }, { name: 'mem', count: 4096 }, { name: 'gres/gpu', count: 1 }, { name: 'cpu', count: 2 }, { name: 'billing', count: 2 }], {}))
      .toBe('billing=2,cpu=2,gres/gpu=1,mem=4G,node=1');
  });
});

describe('accounting lines', () => {
  const index = new Map([['id', 0], ['state', 1], ['submit', 2], ['name', 3], ['steps', 4]]);

  it('reads fields as far as asked, numbers in place, empty past the end of a short line', () => {
    const lines = AcctLines.fromLines(['7\x1fRUNNING\x1f1795900891\x1fjob\x1f[]', '12\x1fPENDING\x1f\x1f', '13'], index);
    expect(lines.count).toBe(3);
    expect([lines.id(0), lines.num(0, 'submit'), lines.get(0, 'state'), lines.get(0, 'steps')]).toEqual([7, 1795900891, 'RUNNING', '[]']);
    // asked out of order: the later field first
    expect([lines.get(1, 'steps'), lines.empty(1, 'submit'), lines.num(1, 'submit'), lines.get(1, 'state')]).toEqual(['', true, 0, 'PENDING']);
    expect([lines.id(2), lines.get(2, 'state'), lines.empty(2, 'name'), lines.get(2, 'nosuchfield')]).toEqual([13, '', true, '']);
    const view = lines.job(0);
    expect([view.id, view.get('name'), view.num('submit'), view.empty('steps')]).toEqual([7, 'job', 1795900891, false]);
  });

  it('takes lines out of one reply text by their ranges (a negative start: no line)', () => {
    const text = '*2\r\n$3\r\n1\x1fA\r\n$-1\r\n';
    const lines = AcctLines.fromText(text, [8, 11, -1, -1], index);
    expect([lines.count, lines.id(0), lines.get(0, 'state')]).toEqual([1, 1, 'A']);
  });
});
