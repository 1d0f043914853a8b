/** vitest global setup: a Redis for the tests, started when none is up (stopped again at the end). */
// @ts-expect-error plain JS helper shared with .ci/run
import { ensureTestRedis } from '../../scripts/test-redis.mjs';

export default async function setup(): Promise<(() => void) | undefined> {
  return (await ensureTestRedis()) as (() => void) | undefined;
}
