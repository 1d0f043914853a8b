/**
 * npm run bench: the measurements the issues ask for, each as a ratio to
 * `node -e 0` (or as a rate) measured side by side in this one run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSlurmConf } from '../src/cluster/slurm-conf.js';
import { prepareSubmission } from '../src/submit/prepare.js';
import { interleaved, timeProcess } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'fixtures');
const identity = { userId: 0, userName: 'root', groupId: 0, groupName: 'root', submitHost: 'localhost' };

function parserThroughput(): void {
  const conf = parseSlurmConf(readFileSync(join(FIXTURES, 'oracle', 'slurm.conf'), 'utf8'));
  if (!conf.ok) throw new Error(conf.message);
  const scripts = readdirSync(join(FIXTURES, 'scripts')).filter((f) => f.endsWith('.slurm'))
    .map((f) => readFileSync(join(FIXTURES, 'scripts', f)));
  const env = { PATH: '/usr/bin:/bin' };
  const now = new Date();
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const bytes = scripts[i % scripts.length]!;
      prepareSubmission({ argv: [], env, cwd: '/tmp', now, readStdin: () => bytes }, conf.config, identity, i + 1);
    }
  };
  run(2000); // warm up the JIT
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    run(500);
    n += 500;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  console.log(`parser: ${Math.round(perSec)} scripts/s on one core over ${scripts.length} fixture scripts (sbatch front end: read, #SBATCH scan, options, job spec) target > 20000`);
}

function dryRunRatio(): void {
  const env = { ...process.env, SLURM_CONF: join(FIXTURES, 'oracle', 'slurm.conf') };
  const script = join(FIXTURES, 'scripts', 'torchrun-4node.slurm');
  const m = interleaved({
    'node -e 0': () => timeProcess(process.execPath, ['-e', '0'], env),
    'flow submit --dry-run': () => timeProcess(join(ROOT, 'bin', 'flow'), ['submit', '--dry-run', '--json', script], env),
  }, 20);
  console.log(`flow submit --dry-run: ${m['flow submit --dry-run']!.toFixed(1)} ms vs node -e 0: ${m['node -e 0']!.toFixed(1)} ms -> ratio ${(m['flow submit --dry-run']! / m['node -e 0']!).toFixed(2)}x (medians of 20 interleaved runs)`);
}

parserThroughput();
dryRunRatio();
