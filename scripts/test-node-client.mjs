/**
 * The command tests again with the Node client of the served commands (FLOW_CLIENT=node): the
 * suite's main run goes through the C client (src/served/client/flow-client.c), and both must
 * give the same bytes, exit codes and jobs. test/e2e/served.test.ts compares the two case by case;
 * these files replay real Slurm's recordings and the users' and errors' cases through the other one.
 *
 *   node scripts/test-node-client.mjs [files]
 */
import { spawnSync } from 'node:child_process';

const FILES = [
  'test/e2e/golden.test.ts', // recorded from real Slurm: sbatch, squeue, sacct, scontrol, scancel output
  'test/e2e/users.test.ts', // who submits: user, group, another user's jobs
  'test/e2e/error-lines.test.ts', // every command's refusals
  'test/e2e/arrays.test.ts',
];
const files = process.argv.slice(2).length ? process.argv.slice(2) : FILES;
process.stdout.write(`served commands on the Node client (FLOW_CLIENT=node): ${files.join(' ')}\n`);
const r = spawnSync('npx', ['vitest', 'run', ...files], { stdio: 'inherit', env: { ...process.env, FLOW_CLIENT: 'node' } });
process.exit(r.status ?? 1);
