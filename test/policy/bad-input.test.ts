// Hostile or broken files: each one is a clear finding with a position, never an exception.
// (The CLI side — exit codes and no stack traces — is in test/cli.)

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFile } from '../../src/lower/pipeline.js';
import { MAX_POLICY_BYTES } from '../../src/policy/source.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_NODES } from '../../src/policy/yaml-tree.js';
import { at, brief, compile, diagnostics, removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

const enc = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('malformed YAML', () => {
  it('an unclosed flow sequence is yaml-syntax with a position', () => {
    const ds = diagnostics('version: 1\npolicies: [\n  { name: a, scope: x }\n');
    expect(ds.length).toBeGreaterThan(0);
    for (const d of ds) {
      expect(d.rule).toBe('yaml-syntax');
      expect(d.line).toBeGreaterThanOrEqual(2);
      expect(d.message).not.toMatch(/\n/);
      expect(d.message).not.toMatch(/at line \d+/); // the library's own position suffix is removed
    }
  });

  it('tab indentation and an unclosed quote are yaml-syntax at the place', () => {
    const t = 'version: 1\npolicies:\n\t- name: a\n';
    expect(brief(diagnostics(t))[0]).toEqual({ line: 3, column: 1, rule: 'yaml-syntax' });
    const q = 'version: 1\npolicies:\n  - name: "a\n';
    expect(diagnostics(q).every((d) => d.rule === 'yaml-syntax')).toBe(true);
  });

  it('a duplicate key is yaml-syntax at the second key', () => {
    const t = 'version: 1\nunmatched: deny\nunmatched: allow\n';
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, 'unmatched', 1), rule: 'yaml-syntax' }]);
  });

  it('several documents in one file are rejected with a message about ---', () => {
    const ds = diagnostics('version: 1\n---\nversion: 1\n');
    expect(brief(ds)).toEqual([{ line: 2, column: 1, rule: 'yaml-syntax' }]);
    expect(ds[0]!.message).toContain('---');
    expect(ds[0]!.message).not.toContain('parseAllDocuments');
  });

  it('a non-string mapping key is yaml-syntax at the key', () => {
    const t = 'version: 1\n? [a, b]\n: 1\n';
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, '[a, b]'), rule: 'yaml-syntax' }]);
  });

  it('an alias to nothing is yaml-syntax', () => {
    const t = 'version: 1\ndefaults:\n  require: { trustedDIDs: [*nope] }\n';
    expect(diagnostics(t).map((d) => d.rule)).toEqual(['yaml-syntax']);
  });

  it('aliases used a few times are expanded normally', () => {
    const t = 'version: 1\npolicies:\n  - name: a\n    scope: x/*\n    require: { trustedDIDs: &t [did:plc:a, did:plc:b] }\n  - name: b\n    scope: y/*\n    require: { trustedDIDs: *t }\n';
    const c = compile(t);
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies[1]!.require.trustedDIDs).toEqual(['did:plc:a', 'did:plc:b']);
  });
});

describe('resource limits', () => {
  it('a billion-laughs alias bomb is one yaml-syntax finding', () => {
    let t = 'version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) t += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    const ds = diagnostics(t);
    expect(ds.map((d) => d.rule)).toEqual(['yaml-syntax']);
    expect(ds[0]!.message).toContain('alias bomb');
  });

  it('a few aliases to a big node are refused by the expanded size, at the alias that crosses it', () => {
    const big = Array.from({ length: 1000 }, (_, i) => `d${i}`).join(', ');
    const uses = Array.from({ length: MAX_NODES / 1000 + 1 }, () => '*big').join(', ');
    const t = `version: 1
x: &big [${big}]
y: [${uses}]
`;
    const ds = diagnostics(t);
    expect(ds.map((d) => [d.line, d.rule])).toEqual([[3, 'yaml-syntax']]);
    expect(ds[0]!.message).toContain(`more than ${MAX_NODES} values through its aliases`);
    // The column is that of one of the `*big` uses.
    expect(t.split('\n')[2]!.slice(ds[0]!.column - 1).startsWith('*big')).toBe(true);
  });

  it('a large policy may reuse an anchored DID list in hundreds of policies', () => {
    const n = 300;
    let t = 'version: 1\npolicies:\n';
    for (let i = 0; i < n; i++) {
      t += `  - name: p${i}\n    scope: "atcr.io/team${i}/*"\n    require: { trustedDIDs: ${i === 0 ? '&ops [did:plc:ops, did:plc:sec]' : '*ops'} }\n`;
    }
    const c = compile(t);
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies[n - 1]!.require.trustedDIDs).toEqual(['did:plc:ops', 'did:plc:sec']);
  });

  it('many small aliases past the limit are refused too, at the alias that crosses it', () => {
    const items = Array.from({ length: MAX_ALIASES + 1 }, () => '*d').join(', ');
    const t = `version: 1\nx: &d did:plc:a\ny: [${items}]\n`;
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([{ line: 3, column: 5 + MAX_ALIASES * 4, rule: 'yaml-syntax' }]);
  });

  it(`flow nesting deeper than ${MAX_DEPTH} levels is refused at the bracket that crosses the limit`, () => {
    const t = (n: number) => `version: 1\nx: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    // `x` is level 1, so its n-th bracket is level n: 64 is allowed (the schema then complains about x).
    expect(diagnostics(t(MAX_DEPTH)).map((d) => d.rule)).toEqual(['schema']);
    for (const n of [MAX_DEPTH + 1, 1000, 100_000]) {
      const ds = diagnostics(t(n));
      expect(brief(ds), String(n)).toEqual([{ line: 2, column: 4 + MAX_DEPTH, rule: 'yaml-syntax' }]);
      expect(ds[0]!.message).toContain(`deeper than ${MAX_DEPTH} levels`);
    }
  });

  it('deep block nesting is refused as well', () => {
    let t = 'version: 1\nx:\n';
    for (let i = 0; i < 100; i++) t += `${'  '.repeat(i + 1)}k:\n`;
    const ds = diagnostics(t);
    expect(ds.map((d) => d.rule)).toEqual(['yaml-syntax']);
    expect(ds[0]!.message).toContain('deeper than');
  });

  it('block nesting deep enough to exhaust the YAML parser is reported near the level that crosses the limit', () => {
    let t = 'version: 1\nx:\n';
    for (let i = 0; i < 2000; i++) t += `${' '.repeat(i + 1)}-\n`;
    const ds = diagnostics(t);
    expect(ds.map((d) => d.rule)).toEqual(['yaml-syntax']);
    expect(ds[0]!.message).toBe(`the document nests deeper than ${MAX_DEPTH} levels`);
    // `x` is level 1 and each line one more: the crossing is within a line or two of MAX_DEPTH.
    expect(Math.abs(ds[0]!.line - (MAX_DEPTH + 2))).toBeLessThanOrEqual(2);
  });

  it('a file over 5 MiB is refused before parsing, at 1:1', async () => {
    const dir = writeTree({ 'big.yaml': `version: 1\n#${'x'.repeat(MAX_POLICY_BYTES)}\n` });
    const c = await compileFile(path.join(dir, 'big.yaml'));
    expect(brief(c.diagnostics)).toEqual([{ line: 1, column: 1, rule: 'yaml-syntax' }]);
    expect(c.diagnostics[0]!.message).toContain('5 MiB');
    // Text handed over in memory is held to the same cap.
    expect(diagnostics(`version: 1\n#${'x'.repeat(MAX_POLICY_BYTES)}\n`)[0]!.message).toContain('5 MiB');
  });

  it('a file of exactly 5 MiB is read', async () => {
    const head = 'version: 1\n#';
    const dir = writeTree({ 'edge.yaml': head + 'x'.repeat(MAX_POLICY_BYTES - head.length - 1) + '\n' });
    const c = await compileFile(path.join(dir, 'edge.yaml'));
    expect(c.diagnostics).toEqual([]);
  });
});

describe('bytes that are not UTF-8 text', () => {
  const cases: [string, Buffer, number, number, string][] = [
    ['a stray 0xff', concat('version: 1\npolicies:\n  - name: a', [0xff], '\n'), 3, 12, '0xff'],
    ['an overlong encoding', concat('version: 1\n# ', [0xc0, 0xaf], '\n'), 2, 3, '0xc0'],
    ['a UTF-16 surrogate', concat('version: 1\n# é ', [0xed, 0xa0, 0x80], '\n'), 2, 5, '0xed'],
    ['a sequence cut at the end', concat('version: 1\n#', [0xe2, 0x82]), 2, 2, '0xe2'],
    ['Latin-1 text', concat('version: 1\npolicies:\n  - name: a\n    description: caf', [0xe9], '\n    scope: x\n'), 4, 21, '0xe9'],
  ];
  for (const [what, bytes, line, column, hex] of cases) {
    it(`${what} is reported at its line and column`, async () => {
      const dir = writeTree({ 'bad.yaml': bytes });
      const c = await compileFile(path.join(dir, 'bad.yaml'));
      expect(c.ir).toBeNull();
      expect(brief(c.diagnostics)).toEqual([{ line, column, rule: 'yaml-syntax' }]);
      expect(c.diagnostics[0]!.message).toContain(hex);
      expect(c.diagnostics[0]!.message).toContain('UTF-8');
    });
  }

  it('a NUL character is refused at its position', async () => {
    const dir = writeTree({ 'nul.yaml': concat('version: 1\n#ab', [0], '\n') });
    const c = await compileFile(path.join(dir, 'nul.yaml'));
    expect(brief(c.diagnostics)).toEqual([{ line: 2, column: 4, rule: 'yaml-syntax' }]);
  });

  it('a UTF-8 byte order mark is accepted', async () => {
    const dir = writeTree({ 'bom.yaml': concat([0xef, 0xbb, 0xbf], 'version: 1\npolicies:\n  - name: a\n    scope: "atcr.io/é/*"\n') });
    const c = await compileFile(path.join(dir, 'bom.yaml'));
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies[0]!.scopes[0]!.glob).toBe('atcr.io/é/*');
  });

  it('multi-byte characters before an error do not shift its column', () => {
    const t = 'version: 1\npolicies:\n  - name: a\n    description: "日本語 🚀"\n    scope: x\n    when: "image.tag == 1"\n';
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, '1"'), rule: 'expr-type' }]);
    expect(enc(t).length).toBeGreaterThan(t.length);
  });
});
