// The one YAML writer of the back ends. Every string scalar that holds a character of
// text.ts's unsafe set (other than the LF and TAB of multi-line Rego, which stays a
// literal block) is written double-quoted, and those characters become `\u`/`\U`
// escapes: the YAML library writes NEL, U+2028, U+2029, bidi controls and other format
// characters raw, and a YAML 1.1 reader (PyYAML, Go's scanner) breaks lines at the first three.

import { Document, isScalar, visit } from 'yaml';
import { hasUnsafeCharBesidesLines, yamlEscapeUnsafe } from './text.js';

export interface YamlStyle {
  /** Multi-line strings as literal blocks (`|`), for the Rego of a ConstraintTemplate. */
  literalBlocks?: boolean;
}

/** One YAML document, no line folding (stable diffs), no aliases. */
export function yamlDocument(object: unknown, style: YamlStyle = {}): string {
  const doc = new Document(object, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && hasUnsafeCharBesidesLines(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  // Only double-quoted scalars can still hold unsafe characters raw: every other string
  // with one was made double-quoted above, and keys and fixed text have none.
  return yamlEscapeUnsafe(doc.toString({ lineWidth: 0, ...(style.literalBlocks ? { blockQuote: 'literal' as const } : {}) }));
}
