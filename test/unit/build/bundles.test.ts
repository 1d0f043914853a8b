/**
 * The commands run in loops inside other tools, so their bundles must not
 * carry what only the controller needs (ioredis, BullMQ), and the commands
 * that parse no option values must not carry the grammar (Chevrotain).
 * Reads dist/bundles.json, which `npm run build` writes from esbuild's metafile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const manifest = join(__dirname, '..', '..', '..', 'dist', 'bundles.json');

function packagesIn(bundle: string): string[] {
  const inputs = (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string[]>)[bundle];
  if (!inputs) throw new Error(`no ${bundle} in dist/bundles.json`);
  return [...new Set(inputs.filter((f) => f.includes('node_modules/')).map((f) => f.split('node_modules/').pop()!.split('/')[0]!))];
}

describe('command bundles', () => {
  it('are built (npm test builds first)', () => {
    expect(existsSync(manifest), 'run `npm run build`').toBe(true);
  });

  for (const command of ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'flow', 'srun', 'salloc']) {
    it(`${command} loads neither ioredis nor BullMQ nor Chevrotain`, () => {
      const packages = packagesIn(`${command}.cjs`);
      expect(packages).not.toContain('ioredis');
      expect(packages).not.toContain('bullmq');
      expect(packages).not.toContain('chevrotain');
    });
  }

  for (const command of ['sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo', 'sacct', 'flow', 'srun']) {
    it(`${command} loads neither undici nor the Mithril client or fake server`, () => {
      expect(packagesIn(`${command}.cjs`)).not.toContain('undici');
      const inputs = (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string[]>)[`${command}.cjs`]!;
      // only where the API key is found (a submission to Mithril without one is refused at once)
      const allowed = ['src/providers/mithril/settings.ts', 'src/providers/mithril/secret.ts'];
      expect(inputs.filter((f) => (f.includes('providers/mithril/') && !allowed.includes(f)) || f.includes('providers/fake-mithril/'))).toEqual([]);
    });
  }

  it('flow pricing (dist/mithril.cjs) has undici; flow emulator (dist/emulator.cjs) has the fake server and no undici', () => {
    expect(packagesIn('mithril.cjs')).toContain('undici');
    expect(packagesIn('emulator.cjs')).not.toContain('undici');
    const inputs = (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string[]>)['emulator.cjs']!;
    expect(inputs).toContain('src/providers/fake-mithril/server.ts');
  });

  it('the served commands\' Node client (dist/client.cjs) loads no package and none of the commands\' own code', () => {
    const inputs = (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string[]>)['client.cjs']!;
    expect(packagesIn('client.cjs')).toEqual([]);
    // the client itself, and the modules it shares with the commands: reaching Redis, the protocol, sbatch's script and identity
    const shared = [
      'src/served/protocol.ts', 'src/store/keys.ts', 'src/store/lua/serve-4.lua', 'src/cluster/conf-cache.ts', 'src/state-dir.ts',
      'src/store/connect.ts', 'src/client/redis-url.ts', 'src/client/resp.ts', 'src/client/reply-shape.ts', 'src/store/holder.ts',
      'src/script/read.ts', 'src/commands/identity.ts', 'src/fd-write.ts',
    ];
    expect(inputs.filter((f) => !f.startsWith('src/served/client/') && !shared.includes(f))).toEqual([]);
  });

  it('the grammar bundle is where Chevrotain lives, and the controller has the queue', () => {
    expect(packagesIn('grammar.cjs')).toContain('chevrotain');
    expect(packagesIn('controller.cjs')).toEqual(expect.arrayContaining(['ioredis', 'bullmq']));
  });
});
