// The parser's grammar as data, for grammar/expr-diagram.html (regenerated with
// `node scripts/gen-grammar.mjs`; a test fails when the committed file is stale).

import { createSyntaxDiagramsCode } from './chevrotain.js';
import { serializedGrammar } from './parser.js';

export const DIAGRAM_PATH = 'grammar/expr-diagram.html';

export function grammarDiagramHtml(): string {
  return createSyntaxDiagramsCode(serializedGrammar());
}

export { serializedGrammar };
