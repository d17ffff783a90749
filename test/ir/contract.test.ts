// The decision contract lives in src/ir and every back end is rendered from it: the
// WebAssembly runtime's generated constants are current, back ends import nothing from
// the front end, and an IR of another version is refused by every target.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../src/backends/artifact.js';
import { compileTargets, TARGETS } from '../../src/backends/index.js';
import { compileGatekeeper } from '../../src/backends/gatekeeper/index.js';
import { compileKyverno } from '../../src/backends/kyverno/index.js';
import { compileRego } from '../../src/backends/rego/index.js';
import { compileWasm } from '../../src/backends/wasm/index.js';
import { runtimeContractSource } from '../../src/backends/wasm/runtime-contract.js';
import { MESSAGE_TEMPLATES, messageSlots, renderMessage } from '../../src/ir/messages.js';
import type { IRDocument } from '../../src/ir/types.js';
import { productionDoc } from '../backends/rego/fixtures.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports (static, dynamic and re-exports) of a module, resolved to paths under src/. */
function localImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/gu)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)));
}

describe('the decision contract in src/ir', () => {
  it('generates the WebAssembly runtime constants that are committed (run npm run build after changing src/ir)', () => {
    const committed = readFileSync(join(SRC, 'backends/wasm/runtime/contract.ts'), 'utf8');
    expect(committed).toBe(runtimeContractSource());
  });

  it('lets back ends import only src/ir and src/backends', () => {
    const offenders: string[] = [];
    for (const file of tsFiles(join(SRC, 'backends'))) {
      for (const target of localImports(file)) {
        if (!target.startsWith('ir/') && !target.startsWith('backends/')) offenders.push(`${relative(ROOT, file)} imports src/${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('finds a front-end import when there is one (the check can fail)', () => {
    const sample = join(SRC, 'backends/kyverno/index.ts');
    const text = "import { printExpr } from '../../expr/printer.js';\nexport * from '../ir/x.js';\nawait import('./rego/index.js');";
    expect(localImports(sample, text)).toEqual(['expr/printer.js', 'backends/ir/x.js', 'backends/kyverno/rego/index.js']);
  });

  it('refuses an IR of another version in every target', async () => {
    const future = { ...productionDoc, irVersion: 2 } as unknown as IRDocument;
    for (const compile of [compileRego, compileGatekeeper, compileKyverno]) {
      expect(() => compile(future, {})).toThrow(new CompileError('IR version 2 is not supported (expected 1)', null));
    }
    await expect(compileWasm(future, {})).rejects.toThrow('IR version 2 is not supported (expected 1)');
    for (const t of [...TARGETS, 'all' as const]) await expect(compileTargets(future, t, {})).rejects.toThrow(CompileError);
  });

  it('renders every template with the values of its slots', () => {
    for (const key of Object.keys(MESSAGE_TEMPLATES) as (keyof typeof MESSAGE_TEMPLATES)[]) {
      const values = Object.fromEntries(messageSlots(key).map((s) => [s, `<${s}>`]));
      const text = renderMessage(key, values);
      expect(text).not.toMatch(/[{}]/u);
      for (const s of messageSlots(key)) expect(text).toContain(`<${s}>`);
    }
    expect(() => renderMessage('untrusted-did', { signer: 'did:plc:x' })).toThrow('needs policy');
  });
});
