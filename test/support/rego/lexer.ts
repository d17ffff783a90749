// Tokens of Rego v1 for the syntax checker and interpreter used in tests. Newlines are
// tokens: they separate expressions in bodies.

export type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'newline' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string; // for strings: the decoded value
  line: number;
  column: number;
}

export class RegoSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${message}`);
    this.name = 'RegoSyntaxError';
  }
}

const OPERATORS = [':=', '==', '!=', '<=', '>=', '<', '>', '=', '+', '-', '*', '/', '%', '|', '&', ',', ';', ':', '.', '[', ']', '{', '}', '(', ')'];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (): { line: number; column: number } => ({ line, column: i - lineStart + 1 });
  const fail = (message: string): never => {
    const p = at();
    throw new RegoSyntaxError(message, p.line, p.column);
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\n') {
      tokens.push({ kind: 'newline', text: '\n', ...at() });
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const pos = at();
    if (/[A-Za-z_]/u.test(ch)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/u.test(source[j]!)) j++;
      tokens.push({ kind: 'ident', text: source.slice(i, j), ...pos });
      i = j;
      continue;
    }
    if (/[0-9]/u.test(ch)) {
      const m = /^(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/u.exec(source.slice(i))!;
      if (/[A-Za-z0-9_.]/u.test(source[i + m[0].length] ?? ' ')) fail('malformed number');
      tokens.push({ kind: 'number', text: m[0], ...pos });
      i += m[0].length;
      continue;
    }
    if (ch === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const text = source.slice(i + 1, end);
      tokens.push({ kind: 'string', text, ...pos });
      for (const c of text) if (c === '\n') line++;
      if (text.includes('\n')) lineStart = i + 1 + text.lastIndexOf('\n') + 1;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        const c = source[j];
        if (c === undefined || c === '\n') fail('unterminated string');
        if (c === '"') break;
        if (c === '\\') {
          const e = source[j + 1];
          const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (e !== undefined && e in simple) {
            text += simple[e];
            j += 2;
            continue;
          }
          if (e === 'u' && /^[0-9A-Fa-f]{4}$/u.test(source.slice(j + 2, j + 6))) {
            text += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          fail('invalid escape in string');
        }
        if (c !== undefined && c.charCodeAt(0) < 0x20) fail('control character in string');
        text += c;
        j++;
      }
      tokens.push({ kind: 'string', text, ...pos });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) fail(`unexpected character ${JSON.stringify(ch)}`);
    tokens.push({ kind: 'op', text: op!, ...pos });
    i += op!.length;
  }
  tokens.push({ kind: 'eof', text: '', ...at() });
  return tokens;
}
