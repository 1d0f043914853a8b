import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain JS helper shared with the build
import { luaModule } from './scripts/lua-assets.mjs';

const shared = {
  plugins: [
    {
      // Lua scripts and the shell supervisor are imported as text, as esbuild's text loader does in the build
      name: 'text-assets',
      transform(code: string, id: string) {
        if (id.endsWith('.sh')) return { code: `export default ${JSON.stringify(code)};`, map: null };
        if (id.endsWith('.lua')) return { code: luaModule(id), map: null };
        return undefined;
      },
    },
  ],
  resolve: {
    // chevrotain's multi-file build takes ~250 ms to load; its single-file bundle ~10 ms
    alias: { chevrotain: fileURLToPath(new URL('./node_modules/chevrotain/lib/chevrotain.mjs', import.meta.url)) },
  },
};

export default defineConfig({
  test: {
    // no Redis up: start one before any test file runs (as .ci/run does)
    globalSetup: ['test/helpers/redis-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    projects: [
      // pure modules: files run side by side
      { ...shared, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 90_000, sequence: { groupOrder: 0 } } },
      // each e2e file runs a controller and real jobs: one file at a time, after the unit files (not beside
      // their CPU-bound property tests), keeps timings sane on 2 cores
      { ...shared, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, testTimeout: 90_000, hookTimeout: 30_000, sequence: { groupOrder: 1 } } },
    ],
  },
});
