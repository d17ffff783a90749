// Loads and compiles the Handlebars templates under templates/ (at the project root, or
// copied next to dist/). Compiled templates are cached: compiling is the slow part.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { checkedArtifactText } from '../text.js';

export type Template = (context: unknown) => string;

let root: string | undefined;

/** The nearest `templates/` directory above this module that holds the Rego templates. */
function templatesRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'rego', 'module.rego.hbs'))) return (root = candidate);
    dir = dirname(dir);
  }
  throw new Error('cannot find the templates/ directory of atcr-verify');
}

const cache = new Map<string, Template>();

/**
 * Compiles templates/<path> with the given partials (names → template paths). Output is
 * plain text: HTML escaping is off (`{{x}}` and `{{{x}}}` are the same), so every value
 * of a view is already target text from an encoder (rego/literal.ts for Rego terms,
 * text.ts's commentText for comments). The rendered text is checked as an artifact is:
 * a raw control, format or line-break character from any helper or value is an error.
 */
export function loadTemplate(path: string, partials: Record<string, string> = {}): Template {
  const key = `${path}|${Object.keys(partials).sort().map((k) => `${k}=${partials[k]}`).join(',')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const hb = Handlebars.create();
  for (const name of Object.keys(partials).sort()) {
    hb.registerPartial(name, readFileSync(join(templatesRoot(), partials[name]!), 'utf8'));
  }
  const compiled = hb.compile(readFileSync(join(templatesRoot(), path), 'utf8'), { noEscape: true });
  const template: Template = (context) => checkedArtifactText(`templates/${path}`, compiled(context));
  cache.set(key, template);
  return template;
}
