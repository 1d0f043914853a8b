// Builds one CommonJS file per command under dist/ (plus the controller and
// the benchmark). Commands run in loops inside other tools, so start-up is
// what counts: a single pre-bundled file, minified, loaded by dist/launch.cjs
// with a V8 code cache, keeps `sbatch` close to `node -e 0` (npm run bench).
import { build } from 'esbuild';
import { copyFileSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { loadLua, luaModule } from './lua-assets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const commands = readdirSync(`${root}src/main`).filter((f) => f.endsWith('.ts'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // FLOW_BUILD_READABLE=1: names kept, for reading CPU profiles
  minify: !process.env.FLOW_BUILD_READABLE,
  keepNames: false,
  logLevel: 'warning',
  loader: { '.sh': 'text' },
  plugins: [{
    // Lua scripts come with their SHA1, so commands can EVALSHA without loading a hash library
    name: 'lua',
    setup(b) {
      b.onLoad({ filter: /\.lua$/ }, (args) => ({ contents: luaModule(args.path), loader: 'js' }));
    },
  }],
  // chevrotain's single-file build loads far faster than its many-module one
  alias: { chevrotain: `${root}node_modules/chevrotain/lib/chevrotain.mjs` },
};

rmSync(`${root}dist`, { recursive: true, force: true });
mkdirSync(`${root}dist`, { recursive: true });

// The grammar and Chevrotain go into dist/grammar.cjs, loaded on first use:
// outside grammar/, an import of its index modules becomes a module of
// forwarding functions (every export of those modules is a function).
const grammarParts = { values: 'grammar/values/index.ts', directives: 'grammar/directives/index.ts' };
const exportsOf = async (entry) => {
  const r = await build({ ...common, entryPoints: [`${root}${entry}`], format: 'esm', write: false, metafile: true, outdir: '/tmp' });
  return Object.values(r.metafile.outputs).find((o) => o.entryPoint)?.exports ?? [];
};
const grammarExports = Object.fromEntries(await Promise.all(Object.entries(grammarParts).map(async ([k, f]) => [k, await exportsOf(f)])));
const lazyGrammar = {
  name: 'lazy-grammar',
  setup(b) {
    b.onResolve({ filter: /\/grammar\/(values|directives)\/index\.js$/ }, (args) => {
      if (args.importer.includes(`${root}grammar/`)) return undefined;
      return { path: /(values|directives)\/index\.js$/.exec(args.path)[1], namespace: 'lazy-grammar' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-grammar' }, (args) => ({
      loader: 'js',
      contents: [
        `let part;`,
        `const load = () => (part ??= require('./grammar.cjs').${args.path});`,
        ...grammarExports[args.path].map((name) => `export const ${name} = (...a) => load().${name}(...a);`),
      ].join('\n'),
    }));
  },
};

// one id per build: a controller answers commands for them only when both come from the same build
const buildId = JSON.stringify(`${Date.now().toString(36)}-${process.pid}`);

const commandsBuild = await build({
  ...common,
  metafile: true,
  plugins: [...common.plugins, lazyGrammar],
  external: ['./grammar.cjs'],
  entryPoints: [
    ...commands.map((f) => ({ in: `${root}src/main/${f}`, out: f.replace(/\.ts$/, '') })),
    { in: `${root}src/controller/daemon.ts`, out: 'controller' },
    { in: `${root}src/served/worker.ts`, out: 'serve-worker' },
    // `flow emulator` and `flow pricing` (undici, the fake server) load these only when they run
    { in: `${root}src/commands/flow-emulator.ts`, out: 'emulator' },
    { in: `${root}src/commands/flow-pricing.ts`, out: 'mithril' },
    { in: `${root}grammar/bundle.ts`, out: 'grammar' },
  ],
  outdir: `${root}dist`,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // launch.cjs runs the bundle as a vm.Script, which has no loader for import(): lower it to require
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__flow_module_url', __FLOW_BUILD_ID__: buildId },
  banner: { js: "const __flow_module_url = require('url').pathToFileURL(__filename).href;" },
});

// The served commands' Node client (dist/<cmd> starts it where the C client was not built): on its own,
// with none of the commands' code, so it loads little
const clientBuild = await build({
  ...common,
  metafile: true,
  entryPoints: [{ in: `${root}src/served/client/main.ts`, out: 'client' }],
  outdir: `${root}dist`,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  supported: { 'dynamic-import': false },
  define: { __FLOW_BUILD_ID__: buildId },
});

await build({
  ...common,
  entryPoints: [{ in: `${root}bench/index.ts`, out: 'bench' }],
  outdir: `${root}dist`,
  outExtension: { '.js': '.mjs' },
  format: 'esm',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// which source files went into which bundle (test/unit/build checks what the commands load)
const bundles = Object.fromEntries([...Object.entries(commandsBuild.metafile.outputs), ...Object.entries(clientBuild.metafile.outputs)]
  .filter(([out]) => out.endsWith('.cjs'))
  .map(([out, o]) => [out.replace(/^.*\//, ''), Object.keys(o.inputs)]));
writeFileSync(`${root}dist/bundles.json`, `${JSON.stringify(bundles, null, 1)}\n`);

copyFileSync(`${root}scripts/launch.cjs`, `${root}dist/launch.cjs`);

// The served commands (bin/<cmd> links to dist/<cmd>): the C client (src/served/client/flow-client.c)
// where a C compiler is, which starts in about a millisecond, Node in tens; else a launcher of the
// Node client (scripts/served-launcher.sh). Linked statically where the system allows it (no dynamic
// loader at each start), else as usual.
const confFormat = /export const CONF_FORMAT = (\d+);/.exec(readFileSync(`${root}src/cluster/conf-cache.ts`, 'utf8'))[1];
const generated = `${root}dist/.flow-client.h`;
writeFileSync(generated, [
  `#define FLOW_BUILD_ID ${buildId}`,
  `#define CONF_FORMAT ${confFormat}`,
  `#define SERVE_LUA ${JSON.stringify(loadLua(`${root}src/store/lua/serve-4.lua`).text)}`,
  '',
].join('\n'));
const cc = (extra) => execFileSync(process.env.CC || 'cc', ['-O2', '-std=c11', '-Wall', ...extra, '-include', generated, '-o', `${root}dist/flow-client`, `${root}src/served/client/flow-client.c`], { stdio: ['ignore', 'ignore', 'pipe'] });
let cClient = true;
try {
  cc(['-static']);
} catch {
  try {
    cc([]);
  } catch (e) {
    cClient = false;
    console.warn(`build: no C client (${e.code === 'ENOENT' ? 'no C compiler' : `it did not compile: ${String(e.stderr ?? '').split('\n')[0]}`}); the served commands start on Node`);
  }
}
rmSync(generated, { force: true });
const launcher = readFileSync(`${root}scripts/served-launcher.sh`, 'utf8');
for (const cmd of ['sbatch', 'squeue', 'scancel', 'scontrol', 'sacct', 'sinfo']) {
  if (cClient) linkSync(`${root}dist/flow-client`, `${root}dist/${cmd}`);
  else writeFileSync(`${root}dist/${cmd}`, launcher.replaceAll('@CMD@', cmd), { mode: 0o755 });
}
writeFileSync(`${root}dist/package.json`, '{ "type": "commonjs" }\n');
