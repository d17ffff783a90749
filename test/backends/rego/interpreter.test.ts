// The test interpreter's Rego semantics that the parity tests rely on, pinned to what OPA
// does (these are the cases a real `opa` run in test/opa re-checks at scale).

import { describe, expect, it } from 'vitest';
import { RegoEvalError, RegoProgram } from '../../support/rego/interpreter.js';

function run(body: string, input?: unknown): unknown {
  return new RegoProgram([`package t\n\nimport rego.v1\n\n${body}\n`]).evaluate('data.t.x', input);
}

describe('the Rego test interpreter', () => {
  it('treats false and undefined alike in bodies, but keeps false as a value', () => {
    expect(run('x := 1 if false')).toBeUndefined();
    expect(run('x := 1 if input.missing')).toBeUndefined();
    expect(run('f(_) := false\n\nx := 1 if not f(0)')).toBe(1);
    expect(run('x := [y | y := false]')).toEqual([false]);
  });

  it('takes the first else branch whose body holds', () => {
    expect(run('x := 1 if { false } else := 2 if { true } else := 3')).toBe(2);
    expect(run('x := 1 if { false } else := 2 if { false } else := 3')).toBe(3);
  });

  it('reports conflicting values, as OPA does', () => {
    expect(() => run('x := 1 if true\n\nx := 2 if true')).toThrow(RegoEvalError);
    expect(() => run('f(_) := 1\n\nf(_) := 2\n\nx := f(0)')).toThrow(RegoEvalError);
    expect(run('f(0) := "zero"\n\nf(n) := "other" if n != 0\n\nx := [f(0), f(1)]')).toEqual(['zero', 'other']);
  });

  it('counts and slices strings by code point, compares them by code point', () => {
    expect(run('x := [count("aü😀"), substring("aü😀b", 1, 2)]')).toEqual([3, 'ü😀']);
    // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 code unit.
    expect(run('x := sort(["😀", "～", "a"])')).toEqual(['a', '～', '😀']);
  });

  it('sorts mixed arrays by OPA order and keeps duplicates', () => {
    expect(run('x := sort([[1, "b"], [0, "z"], [1, "a"], [1, "a"]])')).toEqual([[0, 'z'], [1, 'a'], [1, 'a'], [1, 'b']]);
    expect(run('x := sort({"b", "a", "b"})')).toEqual(['a', 'b']);
  });

  it('keeps integers exact beyond 2^53', () => {
    expect(run('x := 9007199254740993 - 9007199254740992')).toBe(1);
    expect(run('x := time.parse_rfc3339_ns("2200-12-31T23:59:59.999999999Z") - time.parse_rfc3339_ns("2200-12-31T23:59:59.999999998Z")')).toBe(1);
  });

  it('makes a built-in type error undefined, not an exception', () => {
    expect(run('x := regex.match("^a$", 5)')).toBeUndefined();
    expect(run('x := 1 if { not regex.match("^a$", 5) }')).toBe(1);
  });

  it('iterates arrays in order and evaluates `with input as`', () => {
    expect(run('x := [[i, v] | some i, v in ["a", "b"]]')).toEqual([[0, 'a'], [1, 'b']]);
    expect(new RegoProgram([
      'package a\n\nimport rego.v1\n\ny := input.v',
      'package t\n\nimport rego.v1\n\nx := [r | some v in [1, 2]; r := data.a.y with input as {"v": v}]',
    ]).evaluate('data.t.x', {})).toEqual([1, 2]);
  });

  it('rejects unknown names and functions instead of guessing', () => {
    expect(() => run('x := nope')).toThrow(RegoEvalError);
    expect(() => run('x := nope(1)')).toThrow(RegoEvalError);
  });
});
