// docs/expressions.md stays true: its examples compile, and its error examples give the
// rule the table names.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileExpr } from '../../src/expr/index.js';

const DOC = readFileSync('docs/expressions.md', 'utf8');

function section(title: string): string {
  const start = DOC.indexOf(`## ${title}\n`);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

describe('docs/expressions.md', () => {
  it('has examples that compile in their context', () => {
    const lines = [...section('Examples').matchAll(/^(when|expr): '(.*)'$/gm)];
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const [, key, text] of lines) {
      const r = compileExpr(text!, key === 'when' ? 'when' : 'require');
      expect(r.diagnostics, text).toEqual([]);
    }
  });

  it('has error examples that fail with the rule of their row', () => {
    const rows = [...section('Errors').matchAll(/^\| `([a-z-]+)` \| [^|]+ \| `(?:when: ')?([^`]*?)'?`/gm)];
    expect(rows.map((r) => r[1])).toEqual(['expr-syntax', 'expr-type', 'signature-in-when', 'invalid-scope', 'invalid-duration']);
    for (const [, rule, text] of rows) {
      const r = compileExpr(text!, rule === 'signature-in-when' ? 'when' : 'require');
      expect(r.diagnostics.map((d) => d.rule), text).toContain(rule);
    }
  });
});
