// Suppression comments: inline (the finding's line or its policy's name line) and
// file-wide, each with a required reason; suppressed findings stay in json and sarif,
// leave text and github, and do not count for the exit code.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { counted, type Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { formatDiagnostics } from '../../src/diagnostics/format.js';
import { lintCompilation } from '../../src/lint/index.js';
import { compileText } from '../../src/lower/pipeline.js';
import { assertBuilt, cli } from '../cli/run.js';

const doc = (...lines: string[]) => ['version: 1', ...lines, ''].join('\n');
function lint(text: string): Diagnostic[] {
  return lintCompilation(compileText('p.yaml', text), { sources: new Map([['p.yaml', text]]) });
}
const OPEN = ['policies:', '  - name: open', '    scope: a/*'];

describe('suppression comments', () => {
  it('an inline comment on the finding line suppresses it, with its reason', () => {
    const ds = lint(doc('policies:', '  - name: open # atcr-verify: ignore trusts-any-did -- public mirror, anyone may sign', '    scope: a/*'));
    expect(ds).toHaveLength(1);
    expect(ds[0]!.rule).toBe('trusts-any-did');
    expect(ds[0]!.suppressed).toMatchObject({ kind: 'inline', reason: 'public mirror, anyone may sign' });
    expect(counted(ds)).toEqual([]);
  });

  it("a comment on the policy's name line covers a finding at one of its fields", () => {
    const base = ['defaults:', '  require: { maxAge: 7d, trustedDIDs: [did:plc:a] }', 'policies:'];
    const t = doc(...base, '  - name: slow # atcr-verify: ignore weakens-parent -- rebuilt monthly', '    scope: a/*', '    require: { maxAge: 30d }');
    const ds = lint(t);
    expect(ds.map((d) => [d.rule, d.line, d.suppressed?.reason])).toEqual([['weakens-parent', 7, 'rebuilt monthly']]);
    // Without the comment the same finding counts.
    expect(counted(lint(t.replace(/ # atcr-verify.*$/m, '')))).toHaveLength(1);
  });

  it('ignore-file covers every finding of the rule in the file', () => {
    const t = `# atcr-verify: ignore-file trusts-any-did -- the lab registry is open by design\n${doc('policies:', '  - name: a', '    scope: a/*', '  - name: b', '    scope: b/*')}`;
    const ds = lint(t);
    expect(ds).toHaveLength(2);
    expect(ds.every((d) => d.suppressed?.kind === 'file')).toBe(true);
  });

  it('a suppression without a reason suppresses nothing and is itself a finding', () => {
    const ds = lint(doc('policies:', '  - name: open # atcr-verify: ignore trusts-any-did', '    scope: a/*'));
    expect(ds.map((d) => [d.rule, d.suppressed])).toEqual([
      ['trusts-any-did', undefined],
      ['invalid-suppression', undefined],
    ]);
    expect(ds[1]!.message).toContain('gives no reason');
    expect(ds[1]!.column).toBe(16);
    expect(lint(doc(...OPEN, '# atcr-verify: ignore-file trusts-any-did --   ')).map((d) => d.rule)).toEqual(['trusts-any-did', 'invalid-suppression']);
  });

  it('unknown rules, compiler errors and unknown directives are findings too', () => {
    const ds = lint(doc(...OPEN, '# atcr-verify: ignore-file no-such-rule -- x', '# atcr-verify: ignore-file schema -- x', '# atcr-verify: silence trusts-any-did -- x'));
    expect(ds.filter((d) => d.rule === 'invalid-suppression').map((d) => d.message)).toEqual([
      expect.stringContaining('there is no rule no-such-rule'),
      expect.stringContaining('schema is an error to fix'),
      expect.stringContaining('unknown directive'),
    ]);
    expect(ds.find((d) => d.rule === 'trusts-any-did')!.suppressed).toBeUndefined();
  });

  it('text inside a quoted value is not a comment', () => {
    const ds = lint(doc('policies:', '  - name: open', '    description: "# atcr-verify: ignore trusts-any-did -- no"', '    scope: a/*'));
    expect(counted(ds).map((d) => d.rule)).toEqual(['trusts-any-did']);
  });

  it('json marks suppressed findings, sarif gives suppressions, text and github leave them out', () => {
    const ds = lint(doc('policies:', '  - name: open # atcr-verify: ignore trusts-any-did -- mirror', '    scope: a/*'));
    const json = JSON.parse(formatDiagnostics(ds, 'json', '0')) as { suppressed?: unknown }[];
    expect(json[0]!.suppressed).toEqual({ kind: 'inline', reason: 'mirror' });
    const sarif = JSON.parse(formatDiagnostics(ds, 'sarif', '0')) as { runs: { results: { suppressions?: unknown }[] }[] };
    expect(sarif.runs[0]!.results[0]!.suppressions).toEqual([{ kind: 'inSource', justification: 'mirror' }]);
    expect(formatDiagnostics(ds, 'text', '0')).toBe('');
    expect(formatDiagnostics(ds, 'github', '0')).toBe('');
  });
});

describe('policy lint --strict with a suppressed warning', () => {
  it('passes, and says how many findings it did not show', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'atcr-suppress-'));
    const file = join(dir, 'p.yaml');
    writeFileSync(file, doc('policies:', '  - name: open # atcr-verify: ignore trusts-any-did -- public mirror', '    scope: a/*'));
    const r = await cli(['policy', 'lint', '--strict', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1 file checked, no findings\n');
    expect(r.stderr).toContain('1 suppressed finding not shown');
    const j = await cli(['policy', 'lint', '--strict', '--format', 'json', file]);
    expect(j.code).toBe(0);
    expect((JSON.parse(j.stdout) as { rule: string }[]).map((d) => d.rule)).toEqual(['trusts-any-did']);
    writeFileSync(file, doc(...OPEN));
    expect((await cli(['policy', 'lint', '--strict', file])).code).toBe(1);
  });
});
