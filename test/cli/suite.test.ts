// Test-suite loading and case running (cli.md "Policy test suites"), below the CLI.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/ir/decision.js';
import { checkExpectation, loadSuite, runCase, type TestCase } from '../../src/testing/suite.js';

const decision = (over: Partial<Decision> = {}): Decision => ({
  allowed: false,
  effect: 'deny',
  policy: 'p',
  action: 'enforce',
  satisfiedBy: ['did:plc:a', 'did:plc:b'],
  violations: [
    { code: 'untrusted-did', did: 'did:plc:x', message: 'm' },
    { code: 'untrusted-did', did: 'did:plc:y', message: 'm' },
    { code: 'insufficient-signatures', message: 'm' },
  ],
  ...over,
});

function suiteFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'atcr-suite-'));
  writeFileSync(path.join(dir, 's.test.yaml'), text);
  return path.join(dir, 's.test.yaml');
}

describe('expectations', () => {
  it('name only the fields they set; satisfiedBy in any order; violations as a multiset', () => {
    expect(checkExpectation({ effect: 'deny' }, decision())).toEqual([]);
    expect(checkExpectation({ satisfiedBy: ['did:plc:b', 'did:plc:a'] }, decision())).toEqual([]);
    expect(checkExpectation({ violations: ['insufficient-signatures', 'untrusted-did', 'untrusted-did'] }, decision())).toEqual([]);
    expect(checkExpectation({ violations: ['untrusted-did', 'insufficient-signatures'] }, decision())).toHaveLength(1);
    expect(checkExpectation({ allowed: true, effect: 'allow', policy: null, action: 'audit' }, decision())).toEqual([
      'allowed: expected true, got false',
      'effect: expected "allow", got "deny"',
      'policy: expected null, got "p"',
      'action: expected "audit", got "enforce"',
    ]);
  });
});

describe('running a case', () => {
  const c: TestCase = { name: 'case', input: {}, expect: { effect: 'deny' }, line: 3 };

  it('passes when every engine meets the expectation and they agree', () => {
    const r = runCase(c, [
      { name: 'native', evaluate: () => decision() },
      { name: 'wasm', evaluate: () => decision({ violations: [...decision().violations].reverse() }) },
    ]);
    expect(r).toMatchObject({ name: 'case', line: 3, passed: true, problems: [] });
  });

  it('fails on a disagreement between engines even when both meet the expectation', () => {
    const r = runCase(c, [
      { name: 'native', evaluate: () => decision() },
      { name: 'wasm', evaluate: () => decision({ satisfiedBy: ['did:plc:a'] }) },
    ]);
    expect(r.passed).toBe(false);
    expect(r.problems).toEqual(['engines disagree (native vs wasm) on satisfiedBy: ["did:plc:a","did:plc:b"] vs ["did:plc:a"]']);
  });

  it('an engine that throws fails the case with its message; problems name the engine when there are several', () => {
    const r = runCase(c, [
      { name: 'native', evaluate: () => decision({ effect: 'allow', allowed: true }) },
      {
        name: 'wasm',
        evaluate: () => {
          throw new Error('boom');
        },
      },
    ]);
    expect(r.passed).toBe(false);
    expect(r.problems).toEqual(['native: effect: expected "deny", got "allow"', 'wasm: engine failed: boom']);
  });

  it('a disagreement names the engine whose decision it compares with, not a first engine that failed', () => {
    const r = runCase(c, [
      {
        name: 'native',
        evaluate: () => {
          throw new Error('boom');
        },
      },
      { name: 'wasm', evaluate: () => decision() },
      { name: 'rego', evaluate: () => decision({ satisfiedBy: ['did:plc:a'] }) },
    ]);
    expect(r.problems).toEqual(['native: engine failed: boom', 'engines disagree (wasm vs rego) on satisfiedBy: ["did:plc:a","did:plc:b"] vs ["did:plc:a"]']);
  });
});

describe('loading a suite', () => {
  it('resolves the policy next to the suite, applies the default now, keeps a case`s own now and line', async () => {
    const file = suiteFile(
      [
        'policy: ./p.yaml',
        'now: 2026-11-25T12:00:00Z',
        'cases:',
        '  - name: default now',
        '    input: { image: a }',
        '    expect: { effect: deny }',
        '  - name: own now',
        '    input: { image: a, now: "2030-01-01T00:00:00Z" }',
        '    expect: { effect: deny }',
        '',
      ].join('\n'),
    );
    const { suite, diagnostics } = await loadSuite(file);
    expect(diagnostics).toEqual([]);
    expect(suite!.policyFile).toBe(path.join(path.dirname(file), 'p.yaml'));
    expect(suite!.cases.map((k) => [k.name, k.input.now, k.line])).toEqual([
      ['default now', '2026-11-25T12:00:00Z', 4],
      ['own now', '2030-01-01T00:00:00Z', 7],
    ]);
  });

  it('schema errors are positioned; an unreadable default now is refused at its value', async () => {
    const bad = await loadSuite(suiteFile('policy: ./p.yaml\ncases:\n  - name: x\n    input: {}\n    expect: { effect: maybe }\n'));
    expect(bad.suite).toBeNull();
    expect(bad.diagnostics.map((d) => [d.line, d.column, d.rule])).toEqual([[5, 23, 'schema']]);
    const now = await loadSuite(suiteFile('policy: ./p.yaml\nnow: yesterday\ncases:\n  - name: x\n    input: {}\n    expect: { effect: deny }\n'));
    expect(now.suite).toBeNull();
    expect(now.diagnostics.map((d) => [d.line, d.column, d.rule])).toEqual([[2, 6, 'schema']]);
    expect(now.diagnostics[0]!.message).toContain('RFC 3339');
  });
});
