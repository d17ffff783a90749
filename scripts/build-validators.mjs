#!/usr/bin/env node
// Compiles the JSON Schemas the front end validates against (schemas/trust-policy and
// policy-test) ahead of time, with Ajv's standalone code generation and the options of
// src/policy/schema.ts, into dist/validators/NAME.validate.cjs. Each module carries a stamp,
// the sha256 of those options and the schema text; at run time it is used only when both
// are still the same.
// Runs after tsc in `npm run build`.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js');
const standaloneCode = require('ajv/dist/standalone/index.js').default;
const { AJV_OPTIONS, validatorStamp } = await import(join(root, 'dist/src/policy/schema.js'));

const outDir = join(root, 'dist/validators');
mkdirSync(outDir, { recursive: true });
for (const name of ['trust-policy', 'policy-test']) {
  const text = readFileSync(join(root, 'schemas', `${name}.schema.json`), 'utf8');
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(JSON.parse(text)));
  writeFileSync(join(outDir, `${name}.validate.cjs`), `${code}\nmodule.exports.stamp = ${JSON.stringify(validatorStamp(text))};\n`);
}
