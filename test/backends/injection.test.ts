// Policy text cannot change the structure of a generated artifact (issue 12, item 1).
// Every text field of a policy gets strings full of control, format and line-break
// characters; every target is compiled; each artifact is read by independent parsers
// (YAML 1.2: the `yaml` package and js-yaml; YAML 1.1: PyYAML; Rego: the parser of the
// tests and OPA's own; JMESPath: npm jmespath) and must have exactly the structure of the
// same policy with plain text of the same length, once the hostile text is swapped for the
// plain one. The Rego that each YAML reader finds in the template is parsed too: a line
// break only YAML 1.1 sees would change what OPA reads.

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import jmespath from 'jmespath';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileTargets } from '../../src/backends/index.js';
import { compileText } from '../../src/lower/pipeline.js';
import { tokenizeGlob } from '../../src/glob/glob.js';
import type { IRDocument, IRExpr } from '../../src/ir/types.js';
import { irPolicy, irScope } from '../support/ir.js';
import { parseModule } from '../support/rego/parser.js';
import { toolPath } from '../support/tools.js';

/** Every code point of Unicode's Cc, Cf, Zl and Zp categories and the bidi controls. */
const UNSAFE_CHARS: string[] = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCodePoint(cp);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Bidi_Control}]/u.test(ch)) UNSAFE_CHARS.push(ch);
}
/** Characters that mean something to Rego, YAML, JMESPath, Kyverno or Handlebars. */
const SYNTAX_CHARS = [...'#:="\'`\\{}$()[]|&!-*?>%@ ', 'a', 'Z', '0', 'é', '\u{1F600}'];
const REGEX_META = new Set([...'^$\\.*+?()[]{}|/:']);
/** What a scope glob accepts as a literal that its regex keeps verbatim. */
const globLiteral = (ch: string) => !REGEX_META.has(ch) && !('error' in tokenizeGlob(ch));

const hostileText = (alphabet: string[]) =>
  fc
    .array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 24 })
    .chain((chars) => fc.constantFrom(...UNSAFE_CHARS.filter((c) => alphabet.includes(c))).map((u) => [u, ...chars].join('')));

const codePoints = (s: string) => [...s].length;

interface Texts {
  /** For descriptions, file names, expression strings and DIDs. */
  text: string;
  /** For scope globs (what the glob tokenizer accepts). */
  glob: string;
}

const str = (value: string): IRExpr => ({ kind: 'string', type: 'string', value });
const tag: IRExpr = { kind: 'path', type: 'string', path: 'image.tag' };
const handle: IRExpr = { kind: 'path', type: 'string', path: 'signature.handle' };

/** An IR document with the texts in every field that holds policy text (names are [a-z0-9-]). */
function documentWith({ text, glob }: Texts): IRDocument {
  const matchGlob = irScope(`x${glob}`);
  const when: IRExpr = {
    kind: 'or',
    type: 'bool',
    args: [
      { kind: 'compare', type: 'bool', op: '==', operandType: 'string', left: tag, right: str(text) },
      { kind: 'in', type: 'bool', left: tag, right: { kind: 'list', type: 'list', items: [str(text), str('v1')] } },
      { kind: 'matches', type: 'bool', left: tag, glob: matchGlob.glob, regex: matchGlob.regex },
    ],
  };
  const expr: IRExpr = {
    kind: 'and',
    type: 'bool',
    args: [
      { kind: 'startsWith', type: 'bool', left: handle, right: str(text) },
      { kind: 'not', type: 'bool', arg: { kind: 'endsWith', type: 'bool', left: handle, right: str(text) } },
    ],
  };
  const origin = { file: `policies/${text}.yaml`, line: 3, column: 5 };
  return {
    irVersion: 1,
    source: { file: `policies/${text}.yaml`, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    unmatched: 'audit',
    policies: [
      irPolicy({
        name: 'hostile',
        index: 0,
        description: text,
        scopes: [`atcr.io/${glob}/**`, `atcr.io/${glob}:*`],
        when,
        require: { trustedDIDs: [`did:plc:${text}`], trustOwner: true, maxAgeSeconds: 86400, expr },
        origin,
      }),
      irPolicy({ name: 'other', index: 1, description: text, scopes: ['**'], action: 'warn', origin }),
    ],
  };
}

/** The same fields with plain letters of the same length (specificity counts code points). */
function plainFor(t: Texts): Texts {
  return { text: 'q'.repeat(codePoints(t.text)), glob: 'w'.repeat(codePoints(t.glob)) };
}

/** Reads many YAML streams with PyYAML (YAML 1.1) in one python3 process. */
function pyyamlLoadAll(texts: string[]): unknown[][] {
  const script = [
    'import json, sys, yaml',
    'texts = json.load(sys.stdin)',
    'out = []',
    'for t in texts:',
    '    try:',
    '        out.append({"docs": list(yaml.safe_load_all(t))})',
    '    except Exception as e:',
    '        out.append({"error": str(e)})',
    'json.dump(out, sys.stdout, ensure_ascii=True)',
  ].join('\n');
  const stdout = execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), maxBuffer: 1 << 30 });
  return (JSON.parse(stdout.toString('utf8')) as ({ docs: unknown[] } | { error: string })[]).map((r, i) => {
    if ('error' in r) throw new Error(`PyYAML cannot read artifact ${i}: ${r.error}`);
    return r.docs;
  });
}

const execFileAsync = promisify(execFile);
const JMESPATH_KEYS = new Set(['jmesPath', 'list']);
const REGO_KEYS = new Set(['rego', 'libs']);

/**
 * Every module through `opa parse` (OPA's own parser, Rego v1), a few processes at a time.
 * `rego.parse_module` in one `opa eval` would be faster, but it re-reads its own result as
 * a term, and OPA's scanner refuses a byte order mark even inside a string, so it cannot
 * return a module whose strings hold U+FEFF. A module OPA cannot parse fails the test.
 */
async function opaParseAll(sources: string[]): Promise<Map<string, unknown>> {
  const opa = toolPath('opa');
  const dir = mkdtempSync(join(tmpdir(), 'atcr-injection-opa-'));
  const trees = new Map<string, unknown>();
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const i = next++;
      const file = join(dir, `m${i}.rego`);
      writeFileSync(file, sources[i]!);
      let stdout: string;
      try {
        ({ stdout } = await execFileAsync(opa, ['parse', '--format', 'json', file], { maxBuffer: 1 << 28 }));
      } catch (err) {
        throw new Error(`opa cannot parse a generated module (${file}): ${(err as { stdout?: string }).stdout ?? String(err)}`);
      }
      const { comments = [], ...rest } = JSON.parse(stdout) as { comments?: { Location: { row: number }; Text: string }[] };
      // A comment's text is the policy text escaped (not the text itself, so no swap
      // reaches it): its structure is the line it stands on.
      trees.set(sources[i]!, { ...rest, commentRows: comments.map((c) => c.Location.row) });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return trees;
}

/** Every Rego source in a parsed artifact (under `rego`/`libs`), as normalize finds them. */
function regoSources(value: unknown, out: Set<string>, key = ''): void {
  if (typeof value === 'string') {
    if (REGO_KEYS.has(key)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) regoSources(v, out, key === 'libs' ? 'libs' : '');
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) regoSources(v, out, k);
  }
}

interface Normalizer {
  swap: (s: string) => string;
  /** OPA's syntax tree of every Rego source met. */
  opa: Map<string, unknown>;
}

/**
 * A parsed artifact with embedded languages parsed too (Rego under `rego`/`libs`,
 * JMESPath under `jmesPath`/`list` and in `{{ … }}` keys), and every occurrence of the
 * hostile texts in any string replaced by the plain ones.
 */
function normalize(value: unknown, n: Normalizer, key = ''): unknown {
  if (typeof value === 'string') {
    if (REGO_KEYS.has(key)) return regoStructure(value, n);
    if (JMESPATH_KEYS.has(key)) return normalize(jmespath.compile(value), n);
    const variable = /^\{\{ (.*) \}\}$/su.exec(value);
    if (variable && key === 'key') return normalize(jmespath.compile(variable[1]!), n);
    return n.swap(value);
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, n, key === 'libs' ? 'libs' : ''));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [n.swap(k), normalize(v, n, k)]));
  }
  return value;
}

/** A Rego module as its syntax trees, ours and OPA's (with line numbers, so no line may appear or vanish). */
function regoStructure(source: string, n: Normalizer): unknown {
  const opa = n.opa.get(source);
  if (opa === undefined) throw new Error('a Rego module was not given to opa');
  return {
    lines: source.split('\n').length,
    module: normalize(JSON.parse(JSON.stringify(parseModule(source))), n),
    opa: normalize(opa, { ...n, opa: new Map() }),
  };
}

interface Parsed {
  /** Artifact path → parse results, one per independent reader. */
  [path: string]: { reader: string; tree: unknown }[];
}

async function compileAll(ir: IRDocument): Promise<Map<string, string>> {
  const artifacts = await compileTargets(ir, 'all', { serviceUrl: 'https://atcr-verify.example.svc' });
  return new Map(artifacts.filter((a) => typeof a.content === 'string').map((a) => [a.path, a.content as string]));
}

/** What each independent reader makes of each artifact, before normalizing. */
function rawTrees(files: Map<string, string>, py: Map<string, unknown[]>): Record<string, { reader: string; tree: unknown; rego?: string }[]> {
  const raw: Record<string, { reader: string; tree: unknown; rego?: string }[]> = {};
  for (const [path, text] of files) {
    if (path.endsWith('.yaml')) {
      raw[path] = [
        { reader: 'yaml (YAML 1.2)', tree: parseAllDocuments(text).map((d) => d.toJS()) },
        { reader: 'js-yaml', tree: jsyaml.loadAll(text) },
        { reader: 'PyYAML (YAML 1.1)', tree: py.get(path) },
      ];
    } else if (path.endsWith('.rego')) {
      raw[path] = [{ reader: 'Rego parser and opa', tree: null, rego: text }];
    } else {
      raw[path] = [{ reader: 'JSON', tree: JSON.parse(text) }];
    }
  }
  return raw;
}

function readers(raw: ReturnType<typeof rawTrees>, n: Normalizer): Parsed {
  const parsed: Parsed = {};
  for (const [path, trees] of Object.entries(raw)) {
    parsed[path] = trees.map((t) => ({ reader: t.reader, tree: t.rego !== undefined ? regoStructure(t.rego, n) : normalize(t.tree, n) }));
  }
  return parsed;
}

function swapper(from: Texts, to: Texts): (s: string) => string {
  return (s) => s.split(from.text).join(to.text).split(from.glob).join(to.glob);
}

/** Compiles each hostile document and its plain twin and compares every artifact's structure. */
async function checkAll(cases: Texts[]): Promise<void> {
  const compiled = [];
  for (const hostile of cases) {
    const plain = plainFor(hostile);
    compiled.push({ hostile, plain, h: await compileAll(documentWith(hostile)), p: await compileAll(documentWith(plain)) });
  }
  const yamlTexts: string[] = [];
  for (const c of compiled) for (const files of [c.h, c.p]) for (const [path, text] of files) if (path.endsWith('.yaml')) yamlTexts.push(text);
  const pyDocs = pyyamlLoadAll(yamlTexts);
  let next = 0;
  const trees = [];
  for (const c of compiled) {
    const py = (files: Map<string, string>) => {
      const m = new Map<string, unknown[]>();
      for (const path of files.keys()) if (path.endsWith('.yaml')) m.set(path, pyDocs[next++]!);
      return m;
    };
    trees.push({ c, h: rawTrees(c.h, py(c.h)), p: rawTrees(c.p, py(c.p)) });
  }
  // Every Rego module any reader found, hostile and plain, through OPA in one run.
  const rego = new Set<string>();
  for (const t of trees) {
    for (const raw of [t.h, t.p]) {
      for (const readings of Object.values(raw)) {
        for (const r of readings) {
          if (r.rego !== undefined) rego.add(r.rego);
          else regoSources(r.tree, rego);
        }
      }
    }
  }
  const opa = await opaParseAll([...rego]);
  for (const { c, h, p } of trees) {
    const hostile = readers(h, { swap: swapper(c.hostile, c.plain), opa });
    const plain = readers(p, { swap: (s) => s, opa });
    expect(Object.keys(hostile)).toEqual(Object.keys(plain));
    for (const path of Object.keys(plain)) {
      const expected = plain[path]![0]!.tree;
      for (const r of [...plain[path]!, ...hostile[path]!]) {
        expect(r.tree, `${path} read by ${r.reader}, text ${JSON.stringify(c.hostile)}`).toEqual(expected);
      }
    }
  }
}

describe('policy text in generated artifacts', () => {
  it('cannot add a Rego rule through a NEL in a description (YAML 1.1 readers break lines at NEL)', async () => {
    const policy = [
      'version: 1',
      'policies:',
      '  - name: prod',
      '    description: "note\\u0085\\u0085default injected_by_description := true\\u0085\\u0085#"',
      '    scope: ["atcr.io/**"]',
      '    require:',
      '      trustedDIDs: ["did:plc:a"]',
      '',
    ].join('\n');
    const c = compileText('policies/nel.yaml', policy);
    expect(c.ir).not.toBeNull();
    const artifacts = await compileTargets(c.ir!, 'gatekeeper', {});
    const template = artifacts.find((a) => a.path === 'constraint-template.yaml')!.content as string;
    const [docs] = pyyamlLoadAll([template]);
    const lib = (docs![0] as { spec: { targets: { code: { source: { libs: string[] } }[] }[] } }).spec.targets[0]!.code[0]!.source.libs[0]!;
    const rules = parseModule(lib).rules.map((r) => r.name);
    expect(rules).not.toContain('injected_by_description');
    const opa = (await opaParseAll([lib])).get(lib) as { rules: { head: { name: string } }[] };
    expect(opa.rules.map((r) => r.head.name)).toEqual(rules);
    expect(lib).toContain('note\\u{0085}\\u{0085}default injected_by_description');
  });

  it('keeps every artifact structure when all such characters are in every text field at once', async () => {
    const all = UNSAFE_CHARS.join('');
    await checkAll([{ text: `a${all}#b`, glob: `g${UNSAFE_CHARS.filter(globLiteral).join('')}` }]);
  }, 120_000);

  it('keeps every artifact structure for random hostile text (fast-check)', async () => {
    const alphabet = [...UNSAFE_CHARS, ...SYNTAX_CHARS];
    const seed = Number(process.env.FC_SEED ?? 1207);
    const cases = fc.sample(
      fc.record({ text: hostileText(alphabet), glob: hostileText(alphabet.filter(globLiteral)) }),
      { seed, numRuns: 25 },
    );
    await checkAll(cases);
  }, 300_000);
});
