// Document `extends` (trust-policy.md "Inheritance"): extended documents load first,
// recursively, paths relative to the extending file; each file is merged once; cycles and
// missing files are errors at the `extends` entry that names them.

import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFile } from '../../src/lower/pipeline.js';
import { MAX_EXTENDS_DEPTH } from '../../src/policy/load.js';
import { at, brief, removeTrees, writeTree } from './helpers.js';

afterAll(removeTrees);

const policy = (name: string, scope: string, extra = '') => `  - name: ${name}\n    scope: "${scope}"\n${extra}`;

describe('document extends', () => {
  it('resolves paths relative to each extending file, recursively', async () => {
    const dir = writeTree({
      'team/prod.yaml': `version: 1\nextends: [../org/baseline.yaml]\npolicies:\n${policy('prod', 'atcr.io/acme/prod-*')}`,
      'org/baseline.yaml': `version: 1\nextends: ./common/root.yaml\npolicies:\n${policy('org', 'atcr.io/acme/**')}`,
      'org/common/root.yaml': `version: 1\npolicies:\n${policy('root', '**')}`,
    });
    const c = await compileFile(path.join(dir, 'team/prod.yaml'));
    expect(c.diagnostics).toEqual([]);
    // Extended documents first, deepest first: root, then org, then the file itself.
    expect(c.ir!.policies.map((p) => [p.name, p.index])).toEqual([
      ['root', 0],
      ['org', 1],
      ['prod', 2],
    ]);
    expect(c.program!.files.map((f) => path.relative(dir, f.file))).toEqual(['org/common/root.yaml', 'org/baseline.yaml', 'team/prod.yaml']);
  });

  it('merges a diamond once, at its first place', async () => {
    const dir = writeTree({
      'a.yaml': `version: 1\nextends: [b.yaml, c.yaml]\npolicies:\n${policy('a', 'a/*')}`,
      'b.yaml': `version: 1\nextends: [d.yaml]\npolicies:\n${policy('b', 'b/*')}`,
      'c.yaml': `version: 1\nextends: [d.yaml]\npolicies:\n${policy('c', 'c/*')}`,
      'd.yaml': `version: 1\npolicies:\n${policy('d', 'd/*')}`,
    });
    const c = await compileFile(path.join(dir, 'a.yaml'));
    // d would be a duplicate-policy-name if it were merged twice.
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies.map((p) => p.name)).toEqual(['d', 'b', 'c', 'a']);
    expect(c.program!.files).toHaveLength(4);
  });

  it('the same file reached through two spellings of its path is still merged once', async () => {
    const dir = writeTree({
      'a.yaml': `version: 1\nextends: [./lib/d.yaml, lib/../lib/d.yaml]\npolicies:\n${policy('a', 'a/*')}`,
      'lib/d.yaml': `version: 1\npolicies:\n${policy('d', 'd/*')}`,
    });
    const c = await compileFile(path.join(dir, 'a.yaml'));
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies.map((p) => p.name)).toEqual(['d', 'a']);
  });

  it('a cycle is an extends-cycle error at the entry that closes it', async () => {
    const b = `version: 1\nextends: [c.yaml]\n`;
    const cText = `version: 1\nextends:\n  - b.yaml\n`;
    const dir = writeTree({ 'a.yaml': `version: 1\nextends: [b.yaml]\n`, 'b.yaml': b, 'c.yaml': cText });
    const c = await compileFile(path.join(dir, 'a.yaml'));
    expect(c.ir).toBeNull();
    expect(brief(c.diagnostics)).toEqual([{ ...at(cText, 'b.yaml'), rule: 'extends-cycle' }]);
    expect(c.diagnostics[0]!.file).toBe(path.join(dir, 'c.yaml'));
    expect(c.diagnostics[0]!.message).toMatch(/b\.yaml → .*c\.yaml → .*b\.yaml/);
  });

  it('a document that extends itself is a cycle', async () => {
    const t = `version: 1\nextends: ./self.yaml\n`;
    const dir = writeTree({ 'self.yaml': t });
    const c = await compileFile(path.join(dir, 'self.yaml'));
    expect(brief(c.diagnostics)).toEqual([{ ...at(t, './self.yaml'), rule: 'extends-cycle' }]);
  });

  it('a missing extended file is an error at the extends entry, naming the file', async () => {
    const t = `version: 1\nextends:\n  - ./present.yaml\n  - ./gone.yaml\npolicies:\n${policy('a', 'a/*')}`;
    const dir = writeTree({ 'a.yaml': t, 'present.yaml': 'version: 1\n' });
    const c = await compileFile(path.join(dir, 'a.yaml'));
    expect(c.ir).toBeNull();
    expect(c.diagnostics).toHaveLength(1);
    const d = c.diagnostics[0]!;
    expect({ file: d.file, line: d.line, column: d.column, severity: d.severity }).toEqual({
      file: path.join(dir, 'a.yaml'),
      ...at(t, './gone.yaml'),
      severity: 'error',
    });
    expect(d.message).toContain('gone.yaml');
    expect(d.message).toContain('does not exist');
  });

  it('an extended path that is a directory is an error at the entry', async () => {
    const t = `version: 1\nextends: [./lib]\n`;
    const dir = writeTree({ 'a.yaml': t, 'lib/x.yaml': 'version: 1\n' });
    const c = await compileFile(path.join(dir, 'a.yaml'));
    expect(c.diagnostics.map((d) => [d.file, d.line, d.column])).toEqual([[path.join(dir, 'a.yaml'), at(t, './lib').line, at(t, './lib').column]]);
    expect(c.diagnostics[0]!.message).toContain('is a directory');
  });

  it('errors inside an extended document are reported in that document', async () => {
    const base = `version: 1\npolicies:\n  - name: Bad\n    scope: x\n`;
    const dir = writeTree({ 'a.yaml': `version: 1\nextends: [base.yaml]\n`, 'base.yaml': base });
    const c = await compileFile(path.join(dir, 'a.yaml'));
    expect(c.diagnostics.map((d) => [d.file, d.line, d.column, d.rule])).toEqual([
      [path.join(dir, 'base.yaml'), at(base, 'Bad').line, at(base, 'Bad').column, 'schema'],
    ]);
  });

  it('an absolute path and a symlink to an already merged file are merged once', async () => {
    const dir = writeTree({ 'lib/d.yaml': `version: 1\npolicies:\n${policy('d', 'd/*')}` });
    symlinkSync(path.join(dir, 'lib/d.yaml'), path.join(dir, 'link.yaml'));
    writeFileSync(path.join(dir, 'a.yaml'), `version: 1\nextends: [${JSON.stringify(path.join(dir, 'lib/d.yaml'))}, ./link.yaml]\npolicies:\n${policy('a', 'a/*')}`);
    const c = await compileFile(path.join(dir, 'a.yaml'));
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies.map((p) => p.name)).toEqual(['d', 'a']);
  });

  it(`a chain deeper than ${MAX_EXTENDS_DEPTH} documents is refused, not followed forever`, async () => {
    const files: Record<string, string> = {};
    const n = MAX_EXTENDS_DEPTH + 5;
    for (let i = 0; i < n; i++) files[`d${i}.yaml`] = `version: 1\nextends: [d${i + 1}.yaml]\n`;
    files[`d${n}.yaml`] = 'version: 1\n';
    const dir = writeTree(files);
    const c = await compileFile(path.join(dir, 'd0.yaml'));
    expect(c.ir).toBeNull();
    expect(c.diagnostics).toHaveLength(1);
    expect(c.diagnostics[0]!.message).toContain(`deeper than ${MAX_EXTENDS_DEPTH}`);
    expect(c.diagnostics[0]!.line).toBe(2);
  });

  it('the root file that does not exist is one clear sentence, not a finding in a file', async () => {
    const dir = writeTree({});
    const c = await compileFile(path.join(dir, 'nope.yaml'));
    expect(c.ir).toBeNull();
    expect(c.diagnostics).toEqual([]);
    expect(c.unreadable).toMatch(/nope\.yaml does not exist$/);
  });
});

describe('merging documents', () => {
  it('unions trustedDIDs of every document defaults; later documents win the other fields', async () => {
    const dir = writeTree({
      'base.yaml': `version: 1\nunmatched: audit\ndefaults:\n  action: audit\n  require:\n    trustedDIDs: [did:plc:security]\n    maxAge: 90d\n    minSignatures: 2\n`,
      'mid.yaml': `version: 1\nextends: [base.yaml]\nunmatched: allow\ndefaults:\n  require:\n    trustedDIDs: [did:plc:platform, did:plc:security]\n    maxAge: 30d\n`,
      'top.yaml': `version: 1\nextends: [mid.yaml]\npolicies:\n${policy('p', 'atcr.io/**')}`,
    });
    const c = await compileFile(path.join(dir, 'top.yaml'));
    expect(c.diagnostics).toEqual([]);
    const ir = c.ir!;
    // unmatched: the last document that sets it (mid) wins.
    expect(ir.unmatched).toBe('allow');
    const p = ir.policies[0]!;
    expect(p.require.trustedDIDs).toEqual(['did:plc:platform', 'did:plc:security']);
    expect(p.require.maxAgeSeconds).toBe(30 * 86400);
    // Fields only the base sets still come through.
    expect(p.require.minSignatures).toBe(2);
    expect(p.action).toBe('audit');
    expect(p.chain).toEqual(['p', 'defaults']);
  });

  it('a policy may extend a policy of an extended document', async () => {
    const dir = writeTree({
      'base.yaml': `version: 1\npolicies:\n${policy('org', 'atcr.io/acme/**', '    require: { trustedDIDs: [did:plc:org], maxAge: 7d }\n')}`,
      'top.yaml': `version: 1\nextends: [base.yaml]\npolicies:\n${policy('prod', 'atcr.io/acme/prod-*', '    extends: org\n    require: { trustedDIDs: [did:plc:dev] }\n')}`,
    });
    const c = await compileFile(path.join(dir, 'top.yaml'));
    expect(c.diagnostics).toEqual([]);
    const prod = c.ir!.policies.find((p) => p.name === 'prod')!;
    expect(prod.chain).toEqual(['prod', 'org', 'defaults']);
    expect(prod.require.trustedDIDs).toEqual(['did:plc:dev', 'did:plc:org']);
    expect(prod.require.maxAgeSeconds).toBe(7 * 86400);
  });

  it('the same policy name in two documents is duplicate-policy-name at the later one', async () => {
    const top = `version: 1\nextends: [base.yaml]\npolicies:\n${policy('shared', 'b/*')}`;
    const base = `version: 1\npolicies:\n${policy('shared', 'a/*')}`;
    const dir = writeTree({ 'top.yaml': top, 'base.yaml': base });
    const c = await compileFile(path.join(dir, 'top.yaml'));
    expect(c.ir).toBeNull();
    expect(c.diagnostics.map((d) => [d.file, d.line, d.column, d.rule])).toEqual([
      [path.join(dir, 'top.yaml'), at(top, 'shared').line, at(top, 'shared').column, 'duplicate-policy-name'],
    ]);
    expect(c.diagnostics[0]!.message).toContain(`base.yaml:${at(base, 'shared').line}:${at(base, 'shared').column}`);
  });
});

describe('checking every document', () => {
  it('an invalid value in an extended document is reported even when a later document overrides it', async () => {
    const base = 'version: 1\ndefaults:\n  when: image.tag == 1\n  require:\n    maxAge: 0d\n    expr: signature.age > "x"\n';
    const dir = writeTree({
      'base.yaml': base,
      'top.yaml': 'version: 1\nextends: [base.yaml]\ndefaults:\n  when: image.tag != "latest"\n  require:\n    maxAge: 30d\n    expr: signature.did != ""\n',
    });
    const c = await compileFile(path.join(dir, 'top.yaml'));
    expect(c.ir).toBeNull();
    expect(c.diagnostics.map((d) => [path.basename(d.file), d.line, d.rule])).toEqual([
      ['base.yaml', 3, 'expr-type'],
      ['base.yaml', 5, 'invalid-duration'],
      ['base.yaml', 6, 'expr-type'],
    ]);
  });

  it('with valid documents, the overriding values are the ones lowered', async () => {
    const dir = writeTree({
      'base.yaml': 'version: 1\ndefaults:\n  require:\n    maxAge: 90d\n    expr: signature.pds != ""\n',
      'top.yaml': `version: 1\nextends: [base.yaml]\ndefaults:\n  require:\n    maxAge: 30d\npolicies:\n${policy('p', 'a/*')}`,
    });
    const c = await compileFile(path.join(dir, 'top.yaml'));
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.policies[0]!.require.maxAgeSeconds).toBe(30 * 86400);
    expect(c.ir!.policies[0]!.require.expr).not.toBeNull();
  });
});
