/**
 * 10,000+ mutated job scripts and option strings through the whole front end:
 * each must end in a job or a clean error (an exit code and stderr lines),
 * never in an exception.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SBATCH_OPTIONS } from '../../../src/options/table.js';
import { prepareSubmission } from '../../../src/submit/prepare.js';
import { oracleCluster, ROOT_IDENTITY } from '../../helpers/replay.js';
import { FIXTURES } from '../../helpers/oracle.js';
import { rng } from '../../helpers/rng.js';

const scripts = readdirSync(join(FIXTURES, 'scripts')).filter((f) => f.endsWith('.slurm')).map((f) => readFileSync(join(FIXTURES, 'scripts', f), 'utf8'));
const VALUES = ['', '0', '1', '-1', '2-1', '1-2:3:4:5', 'abc', 'now+1h', '1.5G', '0-99%10', 'afterok:1?afterany:2', 'gpu[01-04,7]', 'gpu:h100:8',
  'ALL,FOO=bar', 'B:USR1@90', '%j-%4a-%x.out', 'UNLIMITED', '"quoted value"', "'single'", '\\', '"', '#', '=', '--', '-', '\u0000', '\r', 'é', '9'.repeat(30)];
const CHARS = [...' \t"\'\\#=-:,%[]@+?*\nabcSBATCH0123456789'];

describe('fuzz', () => {
  it('never throws on 12,000 mutated scripts and command lines', () => {
    const cluster = oracleCluster();
    const rand = rng(20261128);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const outcomes = { job: 0, error: 0, info: 0 };
    for (let i = 0; i < 12_000; i++) {
      let text = pick(scripts);
      const mutations = 1 + Math.floor(rand() * 4);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rand() * (text.length + 1));
        const r = rand();
        if (r < 0.3) text = text.slice(0, at) + pick(CHARS) + text.slice(at);
        else if (r < 0.5) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 5));
        else {
          const o = pick(SBATCH_OPTIONS);
          const line = `#SBATCH ${rand() < 0.5 && o.short ? `-${o.short}` : `--${o.name}`}${o.arg === 'none' ? '' : `${rand() < 0.5 ? '=' : ' '}${pick(VALUES)}`}\n`;
          const nl = text.indexOf('\n') + 1;
          text = text.slice(0, nl) + line + text.slice(nl);
        }
      }
      const argv: string[] = [];
      for (let k = Math.floor(rand() * 4); k > 0; k--) {
        const o = pick(SBATCH_OPTIONS);
        if (o.name === 'help' || o.name === 'usage' || o.name === 'version' || o.name === 'wait' || o.name === 'nodefile') continue;
        argv.push(`--${o.name}`);
        if (o.arg === 'required') argv.push(pick(VALUES));
      }
      const result = prepareSubmission(
        { argv, env: { PATH: '/usr/bin:/bin' }, cwd: '/tmp', now: new Date(1795888000_000), readStdin: () => Buffer.from(text) },
        cluster, ROOT_IDENTITY, 1000 + i,
      );
      outcomes[result.kind]++;
      if (result.kind === 'error') {
        expect(result.stderr.length).toBeGreaterThan(0);
        expect([1, 255]).toContain(result.exit);
      }
    }
    // the corpus must exercise both paths
    expect(outcomes.job).toBeGreaterThan(1000);
    expect(outcomes.error).toBeGreaterThan(1000);
  });
});
