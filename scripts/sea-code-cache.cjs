// Writes FILE.cache, V8's code cache of FILE with every function compiled, for each FILE
// given (the standalone executable's chunks; scripts/build-sea.mjs runs this in a fresh
// `node` of the binary the executable is made of, with no flags, so that V8 accepts the
// caches at run time). A cache made the ordinary way holds only what V8 compiled eagerly,
// the top level, and every function a pull calls would still be compiled at run time.
// --no-lazy is set for the compile only and unset before the cache is made: V8 stamps a
// cache with a hash of its flags and refuses one made under other flags.

'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');

for (const [file, filename] of JSON.parse(process.argv[2])) {
  const source = readFileSync(file, 'utf8');
  setFlagsFromString('--no-lazy');
  let script;
  try {
    script = new Script(source, { filename });
  } finally {
    setFlagsFromString('--lazy');
  }
  writeFileSync(`${file}.cache`, script.createCachedData());
}
