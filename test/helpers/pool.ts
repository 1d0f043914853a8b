/**
 * A few private clusters that the concurrent tests of one file take turns on: a test holds a cluster
 * alone while it runs (so the nodes, job ids and queue it sees are its own, as when tests ran one
 * after another), and gives it back when it ends. The files still run one at a time; inside a file,
 * tests that mostly wait on their jobs' sleeps overlap.
 */
import { test as base } from 'vitest';
import { TestCluster } from './cluster.js';

type ClusterOptions = ConstructorParameters<typeof TestCluster>[0];

export class ClusterPool {
  private readonly all: TestCluster[] = [];
  private readonly free: TestCluster[] = [];
  private readonly waiting: Array<(c: TestCluster) => void> = [];

  constructor(private readonly size: number, private readonly opts?: ClusterOptions) {}

  async use<T>(f: (c: TestCluster) => Promise<T>): Promise<T> {
    const c = await this.take();
    try {
      return await f(c);
    } finally {
      const next = this.waiting.shift();
      if (next) next(c);
      else this.free.push(c);
    }
  }

  private take(): Promise<TestCluster> {
    const c = this.free.pop();
    if (c) return Promise.resolve(c);
    if (this.all.length < this.size) {
      const made = new TestCluster(this.opts);
      this.all.push(made);
      return Promise.resolve(made);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.all.map((c) => c.destroy()));
  }
}

/** `it` whose tests get a cluster `c` of their own from the pool for as long as they run. */
export function withPool(pool: ClusterPool) {
  return base.extend<{ c: TestCluster }>({
    // eslint-disable-next-line no-empty-pattern
    c: async ({}, use) => {
      await pool.use((c) => use(c));
    },
  });
}
