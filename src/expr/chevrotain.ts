// Chevrotain, loaded from the single-module build its package ships. The package entry is
// hundreds of small ES modules (lodash-es): Node took ~350 ms to load them, most of every
// command's start-up. The bundled build is the same release in one file (~20 ms). The
// package's `exports` map does not name it, so it is found beside the entry; should a
// future layout lack it, the entry is used.

import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

async function load(): Promise<typeof Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve('chevrotain'); // …/lib/src/api.js
    const bundled = (await import(pathToFileURL(path.join(path.dirname(entry), '..', 'chevrotain.mjs')).href)) as typeof Chevrotain;
    if (typeof bundled.EmbeddedActionsParser === 'function') return bundled;
  } catch {
    // fall through to the package entry
  }
  return import('chevrotain');
}

const chevrotain = await load();

export const { createToken, createSyntaxDiagramsCode, EmbeddedActionsParser, EOF, Lexer, tokenMatcher } = chevrotain;
