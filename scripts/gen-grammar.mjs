// Regenerates grammar/expr-diagram.html from the expression parser's grammar.
// Usage: node scripts/gen-grammar.mjs
// Vite's module runner loads the TypeScript source directly, so no build is needed.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { module } = await runnerImport(join(root, 'src/expr/grammar.ts'), { configFile: false, logLevel: 'silent' });
const out = join(root, module.DIAGRAM_PATH);
writeFileSync(out, module.grammarDiagramHtml());
console.log(`wrote ${module.DIAGRAM_PATH}`);
