// Parsing `WWW-Authenticate` (RFC 7235): a scheme, then comma-separated auth-params
// whose values are tokens or quoted strings. Only the first challenge is used, as the
// registries we talk to send one.

export interface Challenge {
  scheme: string; // lower-case
  params: Record<string, string>; // lower-case names
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/** The first challenge of the header, or null when the header cannot be parsed. */
export function parseChallenge(header: string): Challenge | null {
  let rest = header.trimStart();
  const scheme = TOKEN.exec(rest)?.[0];
  if (!scheme) return null;
  rest = rest.slice(scheme.length);
  const params: Record<string, string> = {};
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    if (rest === '') break;
    const name = TOKEN.exec(rest)?.[0];
    if (!name) return null;
    const afterName = rest.slice(name.length).trimStart();
    // A token without "=" starts the next challenge: stop at the first one.
    if (!afterName.startsWith('=')) break;
    rest = afterName.slice(1).trimStart();
    let value: string;
    if (rest.startsWith('"')) {
      let i = 1;
      value = '';
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\' && i + 1 < rest.length) i++;
        value += rest[i];
      }
      if (i >= rest.length) return null; // unterminated quoted string
      rest = rest.slice(i + 1);
    } else {
      const tok = /^[^\s,]*/.exec(rest)![0];
      value = tok;
      rest = rest.slice(tok.length);
    }
    params[name.toLowerCase()] = value;
  }
  return { scheme: scheme.toLowerCase(), params };
}
