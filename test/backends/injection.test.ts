// Policy text cannot change the structure of a generated artifact (issue 12, item 1).
// Every text field of a policy gets strings full of control, format and line-break
// characters; every target is compiled; each artifact is read by independent parsers
// (YAML 1.2: the `yaml` package and js-yaml; YAML 1.1: PyYAML; Rego: the parser of the
// tests; JMESPath: npm jmespath) and must have exactly the structure of the same policy
// with plain text of the same length, once the hostile text is swapped for the plain one.

import { execFileSync } from 'node:child_process';
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

const JMESPATH_KEYS = new Set(['jmesPath', 'list']);

/**
 * A parsed artifact with embedded languages parsed too (Rego under `rego`/`libs`,
 * JMESPath under `jmesPath`/`list` and in `{{ … }}` keys), and every occurrence of the
 * hostile texts in any string replaced by the plain ones.
 */
function normalize(value: unknown, swap: (s: string) => string, key = ''): unknown {
  if (typeof value === 'string') {
    if (key === 'rego' || key === 'libs') return regoStructure(value, swap);
    if (JMESPATH_KEYS.has(key)) return normalize(jmespath.compile(value), swap);
    const variable = /^\{\{ (.*) \}\}$/su.exec(value);
    if (variable && key === 'key') return normalize(jmespath.compile(variable[1]!), swap);
    return swap(value);
  }
  if (Array.isArray(value)) return value.map((v) => normalize(v, swap, key === 'libs' ? 'libs' : ''));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [swap(k), normalize(v, swap, k)]));
  }
  return value;
}

/** A Rego module as its syntax tree (with line numbers, so no line may appear or vanish). */
function regoStructure(source: string, swap: (s: string) => string): unknown {
  return { lines: source.split('\n').length, module: normalize(JSON.parse(JSON.stringify(parseModule(source))), swap) };
}

interface Parsed {
  /** Artifact path → parse results, one per independent reader. */
  [path: string]: { reader: string; tree: unknown }[];
}

async function compileAll(ir: IRDocument): Promise<Map<string, string>> {
  const artifacts = await compileTargets(ir, 'all', { serviceUrl: 'https://atcr-verify.example.svc' });
  return new Map(artifacts.filter((a) => typeof a.content === 'string').map((a) => [a.path, a.content as string]));
}

function readers(files: Map<string, string>, py: Map<string, unknown[]>, swap: (s: string) => string): Parsed {
  const parsed: Parsed = {};
  for (const [path, text] of files) {
    if (path.endsWith('.yaml')) {
      parsed[path] = [
        { reader: 'yaml (YAML 1.2)', tree: normalize(parseAllDocuments(text).map((d) => d.toJS()), swap) },
        { reader: 'js-yaml', tree: normalize(jsyaml.loadAll(text), swap) },
        { reader: 'PyYAML (YAML 1.1)', tree: normalize(py.get(path), swap) },
      ];
    } else if (path.endsWith('.rego')) {
      parsed[path] = [{ reader: 'Rego parser', tree: regoStructure(text, swap) }];
    } else {
      parsed[path] = [{ reader: 'JSON', tree: normalize(JSON.parse(text), swap) }];
    }
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
  for (const c of compiled) {
    const py = (files: Map<string, string>) => {
      const m = new Map<string, unknown[]>();
      for (const path of files.keys()) if (path.endsWith('.yaml')) m.set(path, pyDocs[next++]!);
      return m;
    };
    const pyH = py(c.h);
    const pyP = py(c.p);
    const hostile = readers(c.h, pyH, swapper(c.hostile, c.plain));
    const plain = readers(c.p, pyP, (s) => s);
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
