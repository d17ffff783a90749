// The parsers that read outside data, each as a fuzz target: the bytes go in, and the
// property is that the parser returns or throws its own typed error — nothing else (no
// TypeError, no RangeError from a recursion, no stray exception). Where a second reading
// exists, the two must agree (the batch byte reader against JSON.parse).

import { evaluateInputs, evaluateJsonBatch } from '../src/batch/evaluate-batch.js';
import { jsonFaultOffset } from '../src/batch/json-bytes.js';
import { parseJsonInput } from '../src/cli/io.js';
import { CliError } from '../src/cli/errors.js';
import { compileEngine } from '../src/engine/evaluate.js';
import { compileText } from '../src/lower/pipeline.js';
import { formatImageRef, parseImageRef } from '../src/ref/reference.js';
import { parseDidDocument } from '../src/kernel/atproto/did-document.js';
import { activeOperations, deriveDidDocument } from '../src/kernel/atproto/plc-log.js';
import { BundleError, parseBundle } from '../src/kernel/bundle/format.js';
import { parseCar } from '../src/kernel/proof/car.js';
import { readCommit } from '../src/kernel/proof/commit.js';
import { parsePayload } from '../src/kernel/proof/payload.js';
import { VerifyError } from '../src/kernel/proof/errors.js';
import { CryptoError } from '../src/kernel/crypto/errors.js';
import { parseManifest } from '../src/kernel/oci/media.js';
import { OciError } from '../src/kernel/oci/errors.js';
import { parseChallenge } from '../src/kernel/oci/challenge.js';
import type { IRDocument } from '../src/ir/types.js';

export interface Target {
  name: string;
  /** Seeds are JSON text: tree mutations apply. */
  json: boolean;
  dictionary: string[];
  /** Throws only errors `expected` accepts; a broken invariant throws a plain Error. */
  run(bytes: Uint8Array): unknown;
  expected(err: unknown): boolean;
}

/** A failed property, as opposed to the parser's own typed error. */
export class Violation extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Violation(what);
}

const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
const JSON_TOKENS = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '-0', '1e999', '"\\u0000"', '"\\ud800"', '\\', '\u2028', '\ufeff'];
const NOW = '2026-11-25T12:00:00Z';

let policy: IRDocument | null = null;
function policyIR(): IRDocument {
  if (!policy) {
    const c = compileText(
      'fuzz.yaml',
      [
        'version: 1',
        'policies:',
        '  - name: prod',
        '    scope: "atcr.io/acme/**"',
        '    require:',
        '      trustedDIDs: [did:plc:acmerelease2manager4one]',
        '      minSignatures: 1',
        '      maxAge: 30d',
      ].join('\n') + '\n',
    );
    if (!c.ir) throw new Error(`the fuzz policy does not compile: ${JSON.stringify(c.diagnostics)}`);
    policy = c.ir;
  }
  return policy;
}

const isVerify = (e: unknown) => e instanceof VerifyError;

export const TARGETS: Target[] = [
  {
    name: 'image-ref',
    json: false,
    dictionary: ['/', ':', '@', 'sha256:', 'localhost', 'docker.io', 'index.docker.io', '[::1]', ':65535', ':65536', ':0', '..', '__', '--', 'A', '.'],
    run(b) {
      const r = parseImageRef(utf8(b));
      // Canonical text parses back to the same reference.
      if (r) check(JSON.stringify(parseImageRef(formatImageRef(r))) === JSON.stringify(r), `formatImageRef does not round-trip ${JSON.stringify(utf8(b))}`);
      return r;
    },
    expected: () => false,
  },
  {
    name: 'policy-yaml',
    json: false,
    dictionary: ['\n', '  ', '- ', ': ', '{', '}', '[', ']', '&a', '*a', '<<: *a', '!!str', '---', '...', 'extends: ', 'scope: ', 'when: ', 'require:', '"', "'", '\t', '#', '|', '>', '\u0085', '\u2028', 'version: 1'],
    run: (b) => compileText('fuzz.yaml', utf8(b)),
    expected: () => false,
  },
  {
    name: 'decision-input',
    json: true,
    dictionary: JSON_TOKENS,
    run(b) {
      const data = parseJsonInput(utf8(b), 'fuzz.json');
      const engine = compileEngine(policyIR());
      return evaluateInputs(Array.isArray(data) ? data : [data], engine, NOW);
    },
    expected: (e) => e instanceof CliError,
  },
  {
    name: 'batch-bytes',
    json: true,
    dictionary: JSON_TOKENS,
    run(b) {
      const bytes = Buffer.from(b);
      const engine = compileEngine(policyIR());
      const text = bytes.toString('utf8');
      const wellFormed = Buffer.from(text, 'utf8').equals(bytes);
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(text);
      } catch {
        parses = false;
      }
      // The byte reader's verdict on "is this JSON" is JSON.parse's, for well-formed UTF-8.
      if (wellFormed && text.charCodeAt(0) !== 0xfeff) check((jsonFaultOffset(bytes) === null) === parses, `jsonFaultOffset and JSON.parse disagree on ${JSON.stringify(text.slice(0, 200))}`);
      const batch = evaluateJsonBatch(bytes, engine, NOW);
      // A batch read from bytes decides as the parsed array does.
      if (batch && wellFormed && parses && Array.isArray(parsed)) {
        check(String(batch.json) === String(evaluateInputs(parsed, engine, NOW).json), `the byte reader decides ${JSON.stringify(text.slice(0, 200))} differently`);
      }
      return batch;
    },
    expected: () => false,
  },
  { name: 'car', json: false, dictionary: ['\u00a2', '\u00d8*', 'roots', 'version'], run: (b) => parseCar(b), expected: isVerify },
  { name: 'commit', json: false, dictionary: ['\u00a2', '\u00d8*', 'sig', 'did', 'rev', 'data', 'prev', 'version'], run: (b) => readCommit(parseCar(b)), expected: isVerify },
  { name: 'did-document', json: true, dictionary: JSON_TOKENS, run: (b) => parseDidDocument(b, 'did:plc:plfhxlctqqzmjyn3cvgifsil'), expected: isVerify },
  {
    name: 'plc-log',
    json: true,
    dictionary: JSON_TOKENS,
    async run(b) {
      activeOperations(b);
      return deriveDidDocument('did:plc:plfhxlctqqzmjyn3cvgifsil', b);
    },
    expected: (e) => isVerify(e) || e instanceof CryptoError,
  },
  { name: 'bundle', json: true, dictionary: JSON_TOKENS, run: (b) => parseBundle(b), expected: (e) => e instanceof BundleError || isVerify(e) },
  { name: 'oci-manifest', json: true, dictionary: JSON_TOKENS, run: (b) => parseManifest(b), expected: (e) => e instanceof OciError },
  { name: 'payload', json: true, dictionary: JSON_TOKENS, run: (b) => parsePayload(b), expected: isVerify },
  {
    name: 'www-authenticate',
    json: false,
    dictionary: ['Bearer ', 'Basic ', 'realm=', 'service=', 'scope=', '"', '\\"', ', ', '=', '\t'],
    run: (b) => parseChallenge(utf8(b)),
    expected: () => false,
  },
];
