// The standalone executable's chunk loader, put before the entry chunk by
// scripts/build-sea.mjs. Node 20's SEA runs one CommonJS script; the rest of the bundle
// is code-split into chunks embedded as SEA assets (`chunks/NAME`, each already wrapped
// as a CommonJS function taking this loader as a sixth parameter), with a V8 code cache
// beside each (`chunks/NAME.cache`, every function compiled at build time). A process
// then reads, deserialises and runs only the chunks its path requires: a containerd pull
// that delegates to `serve` never touches the kernel's or the CLI's code.
// A cache V8 rejects (another node binary or V8 flags) is ignored: the chunk is compiled
// from its source, only slower. ATCR_VERIFY_SEA_TRACE=1 reports each chunk on stderr
// (the build checks that every cache is accepted).

const __atcrChunk = (() => {
  const { getRawAsset } = require('node:sea');
  const { Script } = require('node:vm');
  const trace = process.env.ATCR_VERIFY_SEA_TRACE === '1';
  // Chunks may require the entry chunk, which is this very script.
  const loaded = new Map([['main.cjs', module]]);
  const asset = (key) => {
    try {
      return Buffer.from(getRawAsset(key));
    } catch {
      return undefined;
    }
  };
  function load(name) {
    const known = loaded.get(name);
    if (known) return known.exports;
    const source = asset(`chunks/${name}`);
    if (source === undefined) throw new Error(`chunk ${name} is not part of the standalone build`);
    const cachedData = asset(`chunks/${name}.cache`);
    const t0 = trace ? process.cpuUsage() : undefined;
    const filename = `/__atcr_sea__/chunks/${name}`;
    const script = new Script(source.toString('utf8'), { filename, cachedData });
    const mod = { exports: {} };
    loaded.set(name, mod);
    script.runInThisContext()(mod.exports, require, mod, filename, '/__atcr_sea__/chunks', load);
    if (trace) {
      const u = process.cpuUsage(t0);
      process.stderr.write(`atcr-verify sea: chunk ${name} cache ${cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'} ${((u.user + u.system) / 1000).toFixed(1)} ms\n`);
    }
    return mod.exports;
  }
  return load;
})();
