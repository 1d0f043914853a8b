// Starts one command (dist/<name>.cjs) with a V8 code cache beside it, so the
// bundle's code is not compiled again on every run. Bundles loading a sibling
// bundle (`require('./grammar.cjs')`) get the same treatment. A cache is
// written at exit after a first run (or when V8 refuses it after an upgrade);
// a read-only installation just runs without it.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Module = require('module');

const loaded = new Map();
const SIBLING = /^\.\/([\w-]+)\.cjs$/;

function load(name) {
  if (loaded.has(name)) return loaded.get(name).exports;
  const file = path.join(__dirname, `${name}.cjs`);
  const cacheFile = path.join(__dirname, '.cache', `${name}.v8cache`);
  const source = fs.readFileSync(file, 'utf8');
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first run
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData, importModuleDynamically: undefined });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(__dirname);
  loaded.set(name, mod);
  const req = (id) => {
    const sibling = SIBLING.exec(id);
    return sibling ? load(sibling[1]) : mod.require(id);
  };
  req.resolve = (id) => Module._resolveFilename(id, mod);
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // not writable: no cache
      }
    });
  }
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, file, __dirname);
  return mod.exports;
}

module.exports = function launch(name) {
  try {
    load(name);
  } catch (e) {
    // a bundle that fails to load (a broken installation): one line, as every other error (src/commands/run-main.ts)
    const message = String((e && e.message) || e).split('\n')[0];
    process.stderr.write(`${name}: error: ${message}\n`);
    if (process.env.FLOW_DEBUG === '1' && e && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  }
};

// `node launch.cjs [--asked] <name> args...`: how the served commands' client (src/served/client) hands
// a command it could not have answered over to its full bundle; --asked: the controller was asked in vain
// --once=KEY: a submission whose controller died with it, done here as the same job (src/served/protocol.ts ONCE)
if (require.main === module) {
  if (process.argv[2] === '--asked') {
    process.argv.splice(2, 1);
    globalThis[Symbol.for('flow-slurm.asked')] = true;
  }
  if (process.argv[2] && process.argv[2].startsWith('--once=')) {
    globalThis[Symbol.for('flow-slurm.once')] = process.argv.splice(2, 1)[0].slice('--once='.length);
  }
  const name = process.argv.splice(2, 1)[0];
  module.exports(name);
}
