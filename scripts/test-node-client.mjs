/**
 * The end-to-end tests again with the Node client of the served commands (FLOW_CLIENT=node): the
 * suite's main run goes through the C client (src/served/client/flow-client.c), and both must give
 * the same bytes, exit codes and jobs. test/e2e/served.test.ts also compares the two case by case.
 * The unit tests start no command: they are not run again.
 *
 *   node scripts/test-node-client.mjs [files]   (default: every end-to-end test)
 */
import { spawnSync } from 'node:child_process';

const files = process.argv.slice(2);
process.stdout.write(`served commands on the Node client (FLOW_CLIENT=node): ${files.length ? files.join(' ') : 'the end-to-end tests'}\n`);
const r = spawnSync('npx', ['vitest', 'run', ...(files.length ? files : ['--project', 'e2e'])], { stdio: 'inherit', env: { ...process.env, FLOW_CLIENT: 'node' } });
process.exit(r.status ?? 1);
