// YAML text → plain value plus the source position of every value and key, addressed by
// JSON pointer. We convert the AST ourselves (instead of toJS) so that alias expansion,
// depth and size are bounded and every later finding can point at file:line:col.

import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  Parser,
  parseDocument,
  type Node as YamlNode,
  Scalar,
} from 'yaml';
import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';

export const MAX_DEPTH = 64;
/**
 * Alias uses are bounded, and so is the expanded size (MAX_NODES), which is what stops a
 * billion-laughs document. Large policies legitimately reuse an anchored DID list in
 * hundreds of policies, so the count itself is generous.
 */
export const MAX_ALIASES = 1000;
export const MAX_NODES = 200_000;

/** Maps an offset inside a scalar's string value to its location in the file. */
export type OffsetMapper = (offset: number) => Location;

export interface YamlTree {
  value: unknown;
  file: string;
  text: string;
  /** Location of the value at a JSON pointer ('' is the root). */
  valueLoc: Map<string, Location>;
  /** Location of the key whose value is at a JSON pointer. */
  keyLoc: Map<string, Location>;
  /** For string scalars: offset-in-value → location (for expression errors). */
  scalarMap: Map<string, OffsetMapper>;
}

export function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

class Limit extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

export function parseYaml(file: string, text: string): { tree: YamlTree | null; diagnostics: Diagnostic[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, schema: 'core', uniqueKeys: true, prettyErrors: false, strict: true });
  const loc = (offset: number): Location => {
    const p = lc.linePos(Math.max(0, Math.min(offset, text.length)));
    return { file, line: p.line, column: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    if (/call stack/i.test(e.message)) {
      // The yaml parser recurses per flow level and gives up with a RangeError on absurd
      // nesting; say what the limit is and point at the level that crosses it.
      const at = deepFlowOffset(text) ?? deepBlockOffset(text) ?? e.pos[0];
      diagnostics.push({ ...loc(at), rule: 'yaml-syntax', severity: 'error', message: `the document nests deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    diagnostics.push({ ...loc(e.pos[0]), rule: 'yaml-syntax', severity: 'error', message: cleanYamlMessage(e.message) });
  }
  if (diagnostics.length > 0) return { tree: null, diagnostics };

  const tree: YamlTree = { value: undefined, file, text, valueLoc: new Map(), keyLoc: new Map(), scalarMap: new Map() };
  let aliases = 0;
  let nodes = 0;
  // Where the alias being expanded is written: a limit crossed inside it is reported there.
  let aliasAt = 0;
  const convert = (node: unknown, ptr: string, depth: number, viaAlias: boolean): unknown => {
    if (++nodes > MAX_NODES) {
      const at = viaAlias ? aliasAt : ((node as YamlNode | null)?.range?.[0] ?? 0);
      throw new Limit(`the document expands to more than ${MAX_NODES} values${aliases > 0 ? ' through its aliases (a YAML alias bomb?)' : ''}`, at);
    }
    if (depth > MAX_DEPTH) {
      const start = (node as YamlNode | null)?.range?.[0] ?? 0;
      throw new Limit(`the document nests deeper than ${MAX_DEPTH} levels`, start);
    }
    if (node === null || node === undefined) {
      return null;
    }
    const n = node as YamlNode;
    const start = n.range?.[0] ?? 0;
    if (!viaAlias) tree.valueLoc.set(ptr, loc(start));
    if (isAlias(n)) {
      if (!viaAlias) aliasAt = start;
      if (++aliases > MAX_ALIASES) throw new Limit(`more than ${MAX_ALIASES} aliases (a YAML alias bomb?)`, start);
      const target = n.resolve(doc);
      if (!target) throw new Limit(`unresolved alias *${n.source}`, start);
      if (!viaAlias) tree.valueLoc.set(ptr, loc(start));
      return convert(target, ptr, depth, true);
    }
    if (isScalar(n)) {
      if (typeof n.value === 'string' && !viaAlias) tree.scalarMap.set(ptr, scalarMapper(n, text, loc));
      const v = n.value;
      if (typeof v === 'number' && !Number.isFinite(v)) return String(n.source ?? v);
      return v ?? null;
    }
    if (isMap(n)) {
      const out: Record<string, unknown> = Object.create(null);
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const k = item.key;
        let key: string;
        if (isScalar(k) && (typeof k.value === 'string' || typeof k.value === 'number' || typeof k.value === 'boolean')) {
          key = String(k.value);
        } else if (k === null || (isScalar(k) && k.value === null)) {
          key = '';
        } else {
          const at = (k as YamlNode).range?.[0] ?? start;
          throw new Limit('mapping keys must be plain strings', at);
        }
        const child = pointer(ptr, key);
        if (!viaAlias) {
          const kr = (k as YamlNode | null)?.range?.[0];
          if (kr !== undefined) tree.keyLoc.set(child, loc(kr));
        }
        const vNode = item.value as YamlNode | null;
        if (vNode === null && !viaAlias) {
          const kr = (k as YamlNode | null)?.range?.[1] ?? start;
          tree.valueLoc.set(child, loc(kr));
        }
        out[key] = convert(vNode, child, depth + 1, viaAlias);
      }
      return { ...out };
    }
    if (isSeq(n)) {
      return n.items.map((it, i) => convert(it, pointer(ptr, i), depth + 1, viaAlias));
    }
    return null;
  };
  try {
    tree.value = convert(doc.contents, '', 0, false);
  } catch (err) {
    if (err instanceof Limit) {
      return { tree: null, diagnostics: [{ ...loc(err.at), rule: 'yaml-syntax', severity: 'error', message: err.message }] };
    }
    throw err;
  }
  return { tree, diagnostics };
}

/** Best effort: the offset of the first `[` or `{` nested deeper than MAX_DEPTH, outside quotes and comments. */
function deepFlowOffset(text: string): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
  }
  return null;
}

/**
 * Best effort for block collections: the first line nested deeper than MAX_DEPTH, counting
 * one level per step of indentation and per `- ` that opens a compact nested sequence.
 */
function deepBlockOffset(text: string): number | null {
  const indents: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const rest = line.trimStart();
    const indent = line.length - rest.length;
    if (rest.trim() !== '' && !rest.startsWith('#')) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      let dashes = 0;
      for (let r = rest; /^-(\s|$)/.test(r); r = r.slice(1).trimStart()) dashes++;
      if (indents.length + dashes > MAX_DEPTH) return offset + indent;
    }
    offset += line.length + 1;
  }
  return null;
}

function cleanYamlMessage(m: string): string {
  // The yaml package appends " at line L, column C" and a source excerpt; we print our own position.
  const first = m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  // The library's advice names its own API; a policy author needs to know what to change.
  if (/multiple documents/i.test(first)) return 'a policy file holds one YAML document, but this one has more (remove the extra `---`)';
  return first;
}

/**
 * Builds an offset mapper for a string scalar. Exact for plain, quoted and literal-block
 * scalars on which an expression usually sits; otherwise it falls back to the scalar start.
 */
function scalarMapper(n: Scalar, text: string, loc: (o: number) => Location): OffsetMapper {
  const [start, end] = n.range ?? [0, 0];
  const src = text.slice(start, end);
  const value = String(n.value);
  const offsets: number[] = [];
  switch (n.type) {
    case Scalar.PLAIN:
      if (!src.includes('\n')) {
        if (src === value) for (let i = 0; i < value.length; i++) offsets.push(start + i);
      } else {
        // A multi-line plain scalar folds each line break (and the spaces around it) into one space.
        return foldedMapper(value, foldLines(src, start, false), start, loc);
      }
      break;
    case Scalar.QUOTE_SINGLE:
      if (!src.includes('\n')) {
        for (let i = 1; i < src.length - 1; i++) {
          offsets.push(start + i);
          if (src[i] === "'" && src[i + 1] === "'") i++;
        }
      }
      break;
    case Scalar.QUOTE_DOUBLE:
      if (!src.includes('\n')) {
        for (let i = 1; i < src.length - 1; i++) {
          offsets.push(start + i);
          if (src[i] === '\\') {
            const c = src[i + 1];
            // \U beyond the BMP is two UTF-16 code units in the value.
            if (c === 'U' && parseInt(src.slice(i + 2, i + 10), 16) > 0xffff) offsets.push(start + i);
            i += c === 'x' ? 3 : c === 'u' ? 5 : c === 'U' ? 9 : 1;
          }
        }
      }
      break;
    case Scalar.BLOCK_LITERAL: {
      // Header line, then content lines with a common indentation. The content indentation
      // is the smallest one, unless the header's indentation indicator made leading spaces
      // part of the content: try smaller indentations until the characters line up.
      const nl = src.indexOf('\n');
      if (nl < 0) break;
      const lines = src.slice(nl + 1).split('\n');
      const widest = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
      for (let indent = Number.isFinite(widest) ? widest : 0; indent >= 0 && offsets.length === 0; indent--) {
        const candidate: number[] = [];
        let pos = start + nl + 1;
        for (const l of lines) {
          const end = l.endsWith('\r') ? l.length - 1 : l.length; // CRLF files
          for (let i = Math.min(indent, end); i < end; i++) candidate.push(pos + i);
          candidate.push(pos + end); // the line break
          pos += l.length + 1;
        }
        const lineUp =
          candidate.length >= value.length &&
          [...value].every((_, i) => {
            const c = text[candidate[i]!] ?? '\n';
            return value[i] === '\n' ? c === '\n' || c === '\r' : c === value[i];
          });
        if (lineUp) offsets.push(...candidate);
      }
      break;
    }
    case Scalar.BLOCK_FOLDED: {
      const nl = src.indexOf('\n');
      if (nl < 0) break;
      return foldedMapper(value, foldLines(src.slice(nl + 1), start + nl + 1, true), start, loc);
    }
    default:
      break;
  }
  const exact = offsets.length >= value.length;
  return (offset: number) => {
    if (!exact) return loc(start);
    if (offset >= value.length) return loc(offsets[value.length - 1] !== undefined ? offsets[value.length - 1]! + 1 : start);
    return loc(offsets[Math.max(0, offset)]!);
  };
}

/**
 * The common folding of block-folded and multi-line plain scalars: the non-empty lines,
 * without their indentation (and, for plain scalars, trailing spaces), joined by one space
 * that stands at the line break. Returns the folded text with the source offset of each
 * character; the caller checks it against the parsed value and falls back when the
 * scalar used a rarer form (empty or more-indented lines).
 */
function foldLines(src: string, base: number, block: boolean): { text: string; offsets: number[] } {
  // CRLF files: the CR belongs to the line break, not to the line.
  const lines = src.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const widths = src.split('\n').map((l) => l.length);
  const indent = block
    ? Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length))
    : 0;
  let text = '';
  const offsets: number[] = [];
  let pos = base;
  let pendingBreak = -1;
  for (const [k, l] of lines.entries()) {
    const from = block ? Math.min(indent, l.length) : l.length - l.trimStart().length;
    const to = block ? l.length : l.trimEnd().length;
    if (from < to) {
      if (pendingBreak >= 0 && text !== '') {
        text += ' ';
        offsets.push(pendingBreak);
      }
      for (let i = from; i < to; i++) {
        text += l[i];
        offsets.push(pos + i);
      }
    }
    pendingBreak = pos + l.length;
    pos += widths[k]! + 1;
  }
  return { text, offsets };
}

function foldedMapper(value: string, folded: { text: string; offsets: number[] }, start: number, loc: (o: number) => Location): OffsetMapper {
  // Exact only when our simple folding reproduces the value (block chomping may add line breaks).
  const exact = folded.offsets.length > 0 && value.replace(/\n+$/, '') === folded.text;
  const { offsets } = folded;
  return (offset: number) => {
    if (!exact) return loc(start);
    if (offset >= offsets.length) return loc(offsets[offsets.length - 1]! + 1);
    return loc(offsets[Math.max(0, offset)]!);
  };
}

/** A comment of a YAML text: where its `#` is, and its text after the `#`. */
export interface YamlComment {
  line: number;
  column: number;
  text: string;
}

/**
 * The comments of a YAML text, from the yaml package's concrete syntax tree: real
 * comments only, never a `#` inside a quoted or block scalar. For a text that parsed
 * (its depth is bounded), as lint's suppression comments are read.
 */
export function yamlComments(text: string): YamlComment[] {
  const lc = new LineCounter();
  const found: { offset: number; source: string }[] = [];
  const walk = (t: unknown): void => {
    if (Array.isArray(t)) {
      for (const x of t) walk(x);
    } else if (t !== null && typeof t === 'object') {
      const tok = t as { type?: unknown; offset?: unknown; source?: unknown };
      if (tok.type === 'comment' && typeof tok.offset === 'number' && typeof tok.source === 'string') found.push({ offset: tok.offset, source: tok.source });
      else for (const v of Object.values(t)) walk(v);
    }
  };
  for (const token of new Parser(lc.addNewLine).parse(text)) walk(token);
  return found.map((c) => {
    const p = lc.linePos(c.offset);
    return { line: p.line, column: p.col, text: c.source.replace(/^#/, '') };
  });
}
