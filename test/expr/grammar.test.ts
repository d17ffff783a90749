// grammar/ must describe the parser that actually runs: the diagram is regenerated and
// compared byte for byte, and the EBNF syntax rules are compared with the parser's GAST.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGRAM_PATH, grammarDiagramHtml, serializedGrammar } from '../../src/expr/grammar.js';

interface GastNode {
  type: string;
  name?: string;
  label?: string;
  definition?: GastNode[];
}

const EBNF = readFileSync('grammar/expr.ebnf', 'utf8');

/** Rule name → body (whitespace collapsed), comments removed. */
function ebnfRules(text: string): Map<string, string> {
  const stripped = text.replace(/\(\*[\s\S]*?\*\)/g, ' ');
  const rules = new Map<string, string>();
  const heads = [...stripped.matchAll(/^([A-Za-z]\w*)\s*::=/gm)];
  heads.forEach((h, i) => {
    const end = i + 1 < heads.length ? heads[i + 1]!.index : stripped.length;
    const body = stripped.slice(h.index + h[0].length, end).replace(/\s+/g, ' ').trim();
    expect(rules.has(h[1]!), `rule ${h[1]} is defined twice in expr.ebnf`).toBe(false);
    rules.set(h[1]!, body);
  });
  return rules;
}

/** The GAST in the notation of expr.ebnf. */
function printSequence(items: GastNode[]): string {
  return items.map(printItem).join(' ');
}

function printItem(n: GastNode): string {
  switch (n.type) {
    case 'Terminal':
      // Fixed tokens are labelled with their text in quotes; token classes by name.
      return n.label?.startsWith('"') ? n.label : n.name!;
    case 'NonTerminal':
      return n.name!;
    case 'Alternation':
      return `( ${printAlternatives(n)} )`;
    case 'Option':
      return `( ${printSequence(n.definition!)} )?`;
    case 'Repetition':
      return `( ${printSequence(n.definition!)} )*`;
    case 'RepetitionMandatory':
      return `( ${printSequence(n.definition!)} )+`;
    default:
      throw new Error(`the EBNF printer does not know GAST node ${n.type}`);
  }
}

function printAlternatives(n: GastNode): string {
  return n.definition!.map((alt) => printSequence(alt.definition!)).join(' | ');
}

function printRule(rule: GastNode): string {
  const def = rule.definition!;
  // A rule that is one alternation is written without the surrounding parentheses.
  return def.length === 1 && def[0]!.type === 'Alternation' ? printAlternatives(def[0]!) : printSequence(def);
}

function terminalNames(nodes: GastNode[], out = new Set<string>()): Set<string> {
  for (const n of nodes) {
    if (n.type === 'Terminal' && !n.label?.startsWith('"')) out.add(n.name!);
    if (n.definition) terminalNames(n.definition, out);
  }
  return out;
}

describe('grammar/', () => {
  it('expr-diagram.html is what the generator produces from the current parser', () => {
    const committed = readFileSync(DIAGRAM_PATH, 'utf8');
    expect(committed, 'stale diagram: run `node scripts/gen-grammar.mjs`').toBe(grammarDiagramHtml());
  });

  it('expr.ebnf has exactly the parser rules, each with the same alternatives', () => {
    const rules = ebnfRules(EBNF);
    const gast = serializedGrammar() as GastNode[];
    const syntaxRules = [...rules.keys()].filter((name) => /^[a-z]/.test(name));
    expect(syntaxRules).toEqual(gast.map((r) => r.name));
    for (const rule of gast) {
      expect(rules.get(rule.name!), `rule ${rule.name} in grammar/expr.ebnf`).toBe(printRule(rule));
    }
  });

  it('expr.ebnf defines every token class the parser uses', () => {
    const rules = ebnfRules(EBNF);
    const used = terminalNames(serializedGrammar().flatMap((r) => r.definition as GastNode[]));
    expect([...used].sort()).toEqual(['DURATION', 'IDENT', 'NUMBER', 'STRING']);
    for (const name of used) expect(rules.has(name), `token ${name} in grammar/expr.ebnf`).toBe(true);
  });
});
