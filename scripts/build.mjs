// Bundles each command into one ESM file under dist/: one file to read and
// parse is what keeps `sbatch` close to `node -e 0` (see `npm run bench`).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = readdirSync(`${root}src/main`).filter((f) => f.endsWith('.ts'));

rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  entryPoints: [
    ...entries.map((f) => ({ in: `${root}src/main/${f}`, out: f.replace(/\.ts$/, '') })),
    { in: `${root}bench/index.ts`, out: 'bench' },
  ],
  outdir: `${root}dist`,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  loader: { '.lua': 'text', '.sh': 'text' },
  alias: { chevrotain: `${root}node_modules/chevrotain/lib/chevrotain.mjs` },
  // CommonJS dependencies (ioredis) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
