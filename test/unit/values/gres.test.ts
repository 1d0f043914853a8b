import { describe, expect, it } from 'vitest';
import { formatGpusTres, formatGresTres, formatTresPerNode, parseGpus, parseGres } from '../../../src/job/values/index.js';

// Expectations checked against real Slurm 22.05.8 (GresTypes=gpu, nodes with gpu:h100:8 / gpu:a100:8):
// `sbatch --hold --gres=<value>` / `--gpus*=<value>` then `scontrol show job` TresPerNode=/TresPerJob=/
// TresPerTask=/TresPerSocket=. Failures are exit 1 either way: sbatch's own
// `sbatch: error: Invalid generic resource (gres) specification`, or the controller's
// `sbatch: error: Batch job submission failed: Invalid Trackable RESource (TRES) specification` (side 'controller').
describe('parseGres', () => {
  it.each([
    ['gpu', 'gres:gpu', [['gpu', undefined, 1]]],
    ['gpu:2', 'gres:gpu:2', [['gpu', undefined, 2]]],
    ['gpu:h100:2', 'gres:gpu:h100:2', [['gpu', 'h100', 2]]],
    ['gpu:h100', 'gres:gpu:h100', [['gpu', 'h100', 1]]],
    ['gpu:2k', 'gres:gpu:2k', [['gpu', undefined, 2048]]],
    ['gpu:2K', 'gres:gpu:2K', [['gpu', undefined, 2048]]],
    ['gpu:2kb', 'gres:gpu:2kb', [['gpu', undefined, 2048]]],
    ['gpu:h100:2kb', 'gres:gpu:h100:2kb', [['gpu', 'h100', 2048]]],
    ['gpu:0', 'gres:gpu:0', [['gpu', undefined, 0]]],
    ['gpu:h100:0', 'gres:gpu:h100:0', [['gpu', 'h100', 0]]],
    ['gpu:x100:1', 'gres:gpu:x100:1', [['gpu', 'x100', 1]]], // types are not checked by sbatch
    ['gres:gpu:2', 'gres:gpu:2', [['gpu', undefined, 2]]],
    ['gres:gpu', 'gres:gpu', [['gpu', undefined, 1]]],
    ['gpu:2,gpu:1', 'gres:gpu:2,gres:gpu:1', [['gpu', undefined, 2], ['gpu', undefined, 1]]],
    ['gpu,gpu', 'gres:gpu,gres:gpu', [['gpu', undefined, 1], ['gpu', undefined, 1]]],
    ['gpu:h100:2,gpu:a100:1', 'gres:gpu:h100:2,gres:gpu:a100:1', [['gpu', 'h100', 2], ['gpu', 'a100', 1]]],
    ['gpu:-1', 'gres:gpu:-1', [['gpu', '-1', 1]]], // not a digit: a type
    ['gpu:+2', 'gres:gpu:+2', [['gpu', '+2', 1]]],
    ['gpu:x', 'gres:gpu:x', [['gpu', 'x', 1]]],
    ['gpu:2:3', 'gres:gpu:2:3', [['gpu', '2', 3]]],
    ['gpu:02', 'gres:gpu:02', [['gpu', undefined, 2]]],
    ['gpu:99999999999', 'gres:gpu:99999999999', [['gpu', undefined, 99999999999]]],
    ['gpu:2,gres:gpu:1', 'gres:gpu:2,gres:gpu:1', [['gpu', undefined, 2], ['gpu', undefined, 1]]],
  ])('%j → TresPerNode=%s', (text, tres, items) => {
    const r = parseGres(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(formatGresTres(r.value)).toBe(tres);
    expect(r.value.map((g) => [g.name, g.type, g.count])).toEqual(items);
  });

  it.each(['none', 'NONE'])('%j means no gres', (text) => expect(parseGres(text)).toEqual({ ok: true, value: [] }));

  it.each([
    ['GPU:2', 'client'],
    ['gpu:2,shard:1', 'client'], // shard not in GresTypes
    ['foo:1', 'client'],
    ['gpu:h100:2:3', 'client'],
    ['gpu:h100:2(S:0)', 'client'],
    ['gpu::', 'client'],
    ['gpu:', 'client'],
    ['gpu:h100:', 'client'],
    ['gpu::2', 'client'],
    [':2', 'client'],
    [' gpu:2', 'client'],
    ['gpu:2:h100', 'client'],
    ['gpu:h100:x', 'client'],
    ['gpu:h100:2x', 'client'],
    ['gpu:h100:-1', 'client'],
    ['gpu:h100:2b', 'client'],
    ['GRES:gpu:1', 'client'],
    ['none,gpu', 'client'],
    ['gpu:1.5', 'controller'],
    ['gpu:2 ', 'controller'],
    ['gpu:2x', 'controller'],
    ['gpu:2b', 'controller'],
    ['gpu:2kx', 'controller'],
    ['gpu:0x10', 'controller'],
    ['gpu:1e', 'controller'],
    ['', 'controller'],
    ['gpu:1,,gpu:2', 'controller'],
    ['gpu:h100:2,', 'controller'],
    [',gpu', 'controller'],
    ['gres:', 'controller'],
  ])('%j fails (%s side)', (text, side) => {
    const r = parseGres(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    if (side === 'client') expect(r.error).toMatchObject({ message: 'Invalid generic resource (gres) specification' });
    else expect(r.error).toMatchObject({ message: 'Invalid Trackable RESource (TRES) specification', side: 'controller' });
  });

  it('GresTypes from slurm.conf', () => {
    expect(parseGres('shard:1', { gresTypes: ['gpu', 'shard'] }).ok).toBe(true);
  });
});

describe('parseGpus', () => {
  it.each([
    ['3', 'gres:gpu:3'],
    ['h100:3', 'gres:gpu:h100:3'],
    ['h100:3,a100:1', 'gres:gpu:h100:3,gres:gpu:a100:1'],
    ['a100:2,h100:1', 'gres:gpu:a100:2,gres:gpu:h100:1'],
    ['0', 'gres:gpu:0'],
    ['x', 'gres:gpu:x'],
    ['h100', 'gres:gpu:h100'],
    ['2k', 'gres:gpu:2k'],
    ['gpu:2', 'gres:gpu:gpu:2'], // "gpu" becomes a type
    ['-1', 'gres:gpu:-1'],
    ['2,,3', 'gres:gpu:2,gres:gpu:3'],
  ])('--gpus=%j → TresPerJob=%s', (text, tres) => {
    const r = parseGpus(text);
    expect(r.ok && formatGpusTres(r.value)).toBe(tres);
  });

  it('types and counts', () => {
    expect(parseGpus('h100:2,3')).toEqual({
      ok: true,
      value: [{ type: 'h100', count: 2, raw: 'h100:2' }, { count: 3, raw: '3' }],
    });
    expect(parseGpus('')).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['h100:', 'client'],
    [':2', 'client'],
    ['h100:2:3', 'client'],
    ['1.5', 'controller'],
    ['2x', 'controller'],
  ])('%j fails (%s side)', (text, side) => {
    const r = parseGpus(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.side ?? 'client').toBe(side);
  });

  it('--gres with --gpus-per-node: the --gpus-per-node items come first', () => {
    const gres = parseGres('gpu:h100:4');
    const perNode = parseGpus('h100:2');
    expect(gres.ok && perNode.ok && formatTresPerNode(perNode.value, gres.value)).toBe('gres:gpu:h100:2,gres:gpu:h100:4');
    const g2 = parseGres('gpu:2');
    const p2 = parseGpus('3');
    expect(g2.ok && p2.ok && formatTresPerNode(p2.value, g2.value)).toBe('gres:gpu:3,gres:gpu:2');
    expect(formatTresPerNode(undefined, [])).toBeUndefined();
  });
});
