// `policy lint` output in every format, kept as baselines in __golden__/ (rewrite them with
// UPDATE_GOLDEN=1 and review the diff), plus the structure each format promises.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { formatDiagnostics, formatGithub, formatText, sarifUri, type LintFormat } from '../../src/diagnostics/format.js';
import { RULES } from '../../src/diagnostics/rules.js';
import { lintFile } from '../../src/lint/index.js';

const FIXTURES = ['lint-errors', 'lint-warnings'] as const;
const FORMATS: [LintFormat, string][] = [
  ['text', 'txt'],
  ['json', 'json'],
  ['sarif', 'sarif'],
  ['github', 'github.txt'],
];
const VERSION = '0.0.0-golden';
const golden = new URL('./__golden__/', import.meta.url);

async function findings(name: string): Promise<Diagnostic[]> {
  // Relative to the repository root (vitest's working directory), as a user would type it.
  return (await lintFile(`test/fixtures/policies/${name}.yaml`)).diagnostics;
}

describe('lint baselines', () => {
  for (const name of FIXTURES) {
    for (const [format, ext] of FORMATS) {
      it(`${name} as ${format}`, async () => {
        const out = formatDiagnostics(await findings(name), format, VERSION);
        const file = new URL(`${name}.${ext}`, golden);
        if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
          mkdirSync(golden, { recursive: true });
          writeFileSync(file, out);
          if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`wrote missing baseline ${file.pathname}; review it and run again`);
        }
        expect(out).toBe(readFileSync(file, 'utf8'));
      });
    }
  }

  it('the fixtures cover what they promise', async () => {
    const errors = await findings('lint-errors');
    expect(errors.length).toBeGreaterThan(3);
    expect(errors.every((d) => d.severity === 'error')).toBe(true);
    const warnings = await findings('lint-warnings');
    // Each rule with the severity RULES gives it: a policy that can never be satisfied is an error.
    expect(warnings.every((d) => d.severity === RULES[d.rule]!.severity)).toBe(true);
    expect(warnings.filter((d) => d.severity === 'error').map((d) => d.rule)).toEqual(Array(3).fill('min-signatures-unreachable'));
    expect(new Set(warnings.map((d) => d.rule))).toEqual(
      new Set(['trusts-any-did', 'weakens-parent', 'overlapping-scopes', 'unreachable-policy', 'min-signatures-unreachable']),
    );
    expect(await findings('valid')).toEqual([]);
  });
});

describe('format structure', () => {
  it('text: FILE:LINE:COL severity RULE message, one line each', async () => {
    const ds = await findings('lint-errors');
    const lines = formatText(ds).trimEnd().split('\n');
    expect(lines).toHaveLength(ds.length);
    lines.forEach((l, i) => {
      const d = ds[i]!;
      expect(l).toBe(`${d.file}:${d.line}:${d.column} ${d.severity} ${d.rule} ${d.message}`);
    });
  });

  it('json: an array of {file, line, column, severity, rule, message}', async () => {
    for (const name of FIXTURES) {
      const rows = JSON.parse(formatDiagnostics(await findings(name), 'json', VERSION)) as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(Object.keys(r).sort()).toEqual(['column', 'file', 'line', 'message', 'rule', 'severity']);
        expect(r.file).toBe(`test/fixtures/policies/${name}.yaml`);
      }
    }
    expect(JSON.parse(formatDiagnostics([], 'json', VERSION))).toEqual([]);
  });

  it('sarif: version 2.1.0, one run, rules used by results, results with ruleId, level and locations', async () => {
    for (const name of FIXTURES) {
      const ds = await findings(name);
      const sarif = JSON.parse(formatDiagnostics(ds, 'sarif', VERSION));
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.$schema).toMatch(/sarif.*2\.1\.0/);
      expect(sarif.runs).toHaveLength(1);
      const run = sarif.runs[0];
      expect(run.tool.driver.name).toBe('atcr-verify');
      expect(run.tool.driver.version).toBe(VERSION);
      const ruleIds: string[] = run.tool.driver.rules.map((r: { id: string }) => r.id);
      expect(new Set(ruleIds).size).toBe(ruleIds.length);
      for (const r of run.tool.driver.rules) {
        expect(RULES[r.id]).toBeDefined();
        expect(r.shortDescription.text).toBe(RULES[r.id]!.summary);
        expect(r.defaultConfiguration.level).toBe(RULES[r.id]!.severity);
      }
      expect(run.results).toHaveLength(ds.length);
      run.results.forEach((res: any, i: number) => {
        const d = ds[i]!;
        expect(res.ruleId).toBe(d.rule);
        expect(ruleIds[res.ruleIndex]).toBe(d.rule);
        expect(res.level).toBe(d.severity);
        expect(res.message.text).toBe(d.message);
        expect(res.locations).toHaveLength(1);
        expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe(d.file); // relative, nothing to encode
        expect(res.locations[0].physicalLocation.region).toEqual({ startLine: d.line, startColumn: d.column });
      });
    }
  });

  it('sarif: locations are URIs: relative paths stay relative, absolute ones become file: URIs, segments encoded', () => {
    expect(sarifUri('policies/prod.yaml')).toBe('policies/prod.yaml');
    expect(sarifUri('team policies/a#1.yaml')).toBe('team%20policies/a%231.yaml');
    expect(sarifUri('/tmp/x y/p.yaml')).toBe('file:///tmp/x%20y/p.yaml');
    expect(sarifUri('C:\\work\\p.yaml')).toBe('file:///C:/work/p.yaml');
    const d: Diagnostic = { file: '/abs/dir x/p.yaml', line: 1, column: 2, rule: 'schema', severity: 'error', message: 'm' };
    const sarif = JSON.parse(formatDiagnostics([d], 'sarif', VERSION));
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('file:///abs/dir%20x/p.yaml');
  });

  it('github: workflow commands with data and properties escaped', () => {
    const d: Diagnostic = { file: 'dir,x/a:b.yaml', line: 3, column: 7, rule: 'schema', severity: 'error', message: '100% wrong\r\nsecond line' };
    const w: Diagnostic = { ...d, severity: 'warning', rule: 'trusts-any-did', message: 'plain' };
    expect(formatGithub([d, w])).toBe(
      '::error file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=schema::100%25 wrong%0D%0Asecond line\n' +
        '::warning file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=trusts-any-did::plain\n',
    );
  });

  it('text and github escape control characters that came from the file (no terminal escapes)', () => {
    const d: Diagnostic = { file: 'p.yaml', line: 1, column: 1, rule: 'schema', severity: 'error', message: 'unknown field `\u001b]0;title\u0007` and \u202eevil' };
    for (const out of [formatText([d]), formatGithub([d])]) {
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      expect(out).toContain('\\u001b]0;title\\u0007');
      expect(out).toContain('\\u202eevil');
    }
  });

  it('no findings: empty text and github output', () => {
    expect(formatDiagnostics([], 'text', VERSION)).toBe('');
    expect(formatDiagnostics([], 'github', VERSION)).toBe('');
    expect(JSON.parse(formatDiagnostics([], 'sarif', VERSION)).runs[0].results).toEqual([]);
  });
});
