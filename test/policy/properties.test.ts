// The loader never crashes: random YAML-ish text, random structures written as YAML and
// random mutations of valid documents all give either an IR or positioned findings.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RULES } from '../../src/diagnostics/rules.js';
import type { Compilation } from '../../src/lower/pipeline.js';
import { compile } from './helpers.js';
import { documentArb } from '../engine/arbitraries.js';

/** What every compilation must look like, whatever the text. */
function wellFormed(c: Compilation, text: string): void {
  const lines = text.split('\n').length;
  for (const d of c.diagnostics) {
    expect(Object.keys(RULES)).toContain(d.rule);
    expect(d.file).toBe('p.yaml');
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines + 1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.message).not.toMatch(/^\s+at /m);
  }
  const errors = c.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) expect(c.ir).toBeNull();
  else expect(c.ir).not.toBeNull();
}

const yamlChars = fc.constantFrom(
  ...'-:[]{},&*!|>\'"#%@` \n\t?.~=<1a0zé'.split(''),
  'version: 1\n',
  'policies:\n',
  '  - name: p\n',
  '    scope: ',
  'require:',
  'trustedDIDs: ',
  'did:plc:x',
  '&a ',
  '*a',
  '<<: ',
  '!!str ',
  '---\n',
  '...\n',
  '\u0000',
  '\ufeff',
);
const yamlish = fc.array(yamlChars, { maxLength: 60 }).map((parts) => parts.join(''));

/** Any JSON-like structure, sometimes shaped like a policy document. */
const structure = fc.oneof(
  fc.jsonValue({ maxDepth: 5 }),
  fc.record({
    version: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
    policies: fc.array(fc.dictionary(fc.constantFrom('name', 'scope', 'extends', 'when', 'require', 'action', 'bogus'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }),
    defaults: fc.dictionary(fc.constantFrom('require', 'action', 'when'), fc.jsonValue({ maxDepth: 2 })),
  }),
);

type Mutation = { kind: 'delete' | 'insert' | 'replace' | 'duplicate-line' | 'swap-lines'; at: number; len: number; text: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate-line', 'swap-lines'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 12 }),
  text: yamlish,
});

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'replace':
      return text.slice(0, at) + m.text + text.slice(at + m.len);
    case 'duplicate-line':
    case 'swap-lines': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      const j = (m.at + m.len) % lines.length;
      if (m.kind === 'duplicate-line') lines.splice(i, 0, lines[i]!);
      else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
  }
}

describe('the loader never crashes', () => {
  it('on random YAML-ish text', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        wellFormed(compile(text), text);
      }),
      { numRuns: 300 },
    );
  });

  it('on random structures written as YAML', () => {
    fc.assert(
      fc.property(structure, (value) => {
        const text = stringify(value);
        wellFormed(compile(text), text);
      }),
      { numRuns: 300 },
    );
  });

  it('on random mutations of valid documents', () => {
    let compiledSome = false;
    let rejectedSome = false;
    fc.assert(
      fc.property(documentArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (doc, ms) => {
        const valid = stringify(doc);
        expect(compile(valid).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const text = ms.reduce(mutate, valid);
        const c = compile(text);
        wellFormed(c, text);
        if (c.ir) compiledSome = true;
        else rejectedSome = true;
      }),
      { numRuns: 300 },
    );
    expect(compiledSome && rejectedSome).toBe(true);
  });
});

describe('positions inside string scalars', () => {
  // Offsets of a parsed value map back to the character that wrote them, in every style
  // the yaml library writes; a style the mapper does not follow exactly falls back to the
  // start of the scalar (never to an unrelated place).
  const unit = fc.constantFrom('a', 'Z', '0', ' ', '"', "'", '\\', '#', ':', '-', 'é', '日', '😀', '\t', '\n', '=', '[', '*');
  const valueArb = fc.array(unit, { minLength: 1, maxLength: 40 }).map((u) => u.join(''));
  const styles = ['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;

  it('every character maps to itself or to the scalar start', async () => {
    const { parseYaml } = await import('../../src/policy/yaml-tree.js');
    let exactHits = 0;
    fc.assert(
      fc.property(valueArb, fc.constantFrom(...styles), fc.boolean(), (value, style, crlf) => {
        const lf = stringify({ k: value }, { defaultStringType: style, defaultKeyType: 'PLAIN', lineWidth: 0 });
        const text = crlf ? lf.replace(/\n/g, '\r\n') : lf;
        const { tree } = parseYaml('p.yaml', text);
        expect(tree).not.toBeNull();
        // The yaml library itself cannot round-trip some values in some styles (" " as a literal block).
        fc.pre((tree!.value as { k: string }).k === value);
        const map = tree!.scalarMap.get('/k')!;
        const lineStarts = [0];
        for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
        const index = (l: { line: number; column: number }) => lineStarts[l.line - 1]! + l.column - 1;
        const start = index(tree!.valueLoc.get('/k')!);
        for (let i = 0; i < value.length; i++) {
          const c = value[i]!;
          if (/[\s\\"']/.test(c) || (c >= '\ud800' && c <= '\udfff')) continue; // written as escapes, folds or pairs
          const at = index(map(i));
          if (at !== start) {
            expect(text[at], `${style} ${JSON.stringify(value)} offset ${i}`).toBe(c);
            exactHits++;
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(exactHits).toBeGreaterThan(0);
  });
});

describe('random bytes', () => {
  it('are either UTF-8 text or one finding at the first bad byte', async () => {
    const { decodeSource } = await import('../../src/policy/source.js');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('', 'version: 1\n# é\n'), (bytes, prefix) => {
        const all = Buffer.concat([Buffer.from(prefix), bytes]);
        const r = decodeSource('p.yaml', all);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(all);
        } catch {
          valid = false;
        }
        if ('text' in r) {
          expect(valid).toBe(true);
          expect(r.text.includes('\u0000')).toBe(false);
          wellFormed(compile(r.text), r.text);
        } else {
          const d = r.diagnostic;
          expect(d.rule).toBe('yaml-syntax');
          if (!valid) {
            // Everything before the reported position decodes; the byte named in the message is there.
            const hex = /byte 0x([0-9a-f]{2}) at offset (\d+)/.exec(d.message)!;
            const offset = Number(hex[2]);
            expect(all[offset]).toBe(parseInt(hex[1]!, 16));
            expect(() => new TextDecoder('utf-8', { fatal: true }).decode(all.subarray(0, offset))).not.toThrow();
            const before = new TextDecoder().decode(all.subarray(0, offset));
            expect(d.line).toBe(before.split('\n').length);
          } else {
            expect(d.message).toContain('NUL');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
