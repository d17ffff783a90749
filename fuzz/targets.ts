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
import { escapeJsonText } from '../src/diagnostics/format.js';
import { UNSAFE_CHAR } from '../src/text/escape.js';
import type { FactsResult } from '../src/serve/facts.js';
import { requestJson } from '../src/serve/wire/body.js';
import { BadRequest } from '../src/serve/wire/errors.js';
import { factsValue, providerKeys, providerResponse } from '../src/serve/wire/gatekeeper.js';
import { factsImages, factsResponse } from '../src/serve/wire/kyverno.js';
import { verifyJson } from '../src/serve/wire/verify.js';

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

/** The service's request limit on images per request (DEFAULT_LIMITS.maxKeys). */
const MAX_KEYS = 1000;
const isBadRequest = (e: unknown) => e instanceof BadRequest;
const REQUEST_TOKENS = [...JSON_TOKENS, '"keys"', '"images"', '"request"', '"kind"', '"ProviderRequest"', '"apiVersion"', '"externaldata.gatekeeper.sh/v1beta1"', '"atcr.io/acme/app:1"', '"nginx"', '"__proto__"'];

/** Facts for the n-th image of a request: every third one failed, the others signed by the fuzz policy's DID. */
function factsFor(image: string, n: number): FactsResult {
  if (n % 3 === 2) return { ok: false, kind: 'not-found', message: `${image} does not exist` };
  const digest = `sha256:${'ab'.repeat(32)}`;
  const signatures = [{ valid: true, did: 'did:plc:acmerelease2manager4one', signedAt: '2026-11-24T12:00:00Z', digest }];
  return { ok: true, facts: { digest, owner: '', signatures, verified: true, unavailable: false, offline: false, notes: [], pinned: `${image}@${digest}` }, source: 'memory' };
}

/** What the endpoint writes (escaped JSON text) must read back as the value it meant. */
function answersAs(value: unknown, what: string): void {
  const text = escapeJsonText(JSON.stringify(value));
  check(!UNSAFE_CHAR.test(text), `${what}: the answer holds a raw control, format or line-separator character`);
  check(JSON.stringify(JSON.parse(text)) === JSON.stringify(value), `${what}: the escaped answer reads back differently`);
}

/** The request's images: distinct strings, at most MAX_KEYS, in their first order. */
function checkKeys(keys: string[], what: string): void {
  check(keys.length <= MAX_KEYS && new Set(keys).size === keys.length && keys.every((k) => typeof k === 'string'), `${what}: keys not distinct strings within the limit`);
}

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
    // POST /gatekeeper/v1/provider and /mutate: ProviderRequest → ProviderResponse.
    name: 'gatekeeper-request',
    json: true,
    dictionary: REQUEST_TOKENS,
    run(b) {
      const keys = providerKeys(requestJson(b), MAX_KEYS);
      checkKeys(keys, 'gatekeeper');
      const response = providerResponse(keys, keys.map(factsFor), factsValue);
      check(response.response.items.map((i) => i.key).join('\n') === keys.join('\n'), 'gatekeeper: an item per key, in order');
      answersAs(response, 'gatekeeper');
      return response;
    },
    expected: isBadRequest,
  },
  {
    // POST /kyverno/v1/facts: {"images": [...]} → {"results": {image: facts}}.
    name: 'kyverno-request',
    json: true,
    dictionary: REQUEST_TOKENS,
    run(b) {
      const images = factsImages(requestJson(b), MAX_KEYS);
      checkKeys(images, 'kyverno');
      const response = factsResponse(images, images.map(factsFor));
      // Every image sent gets its own entry (an object-key collision would drop one).
      check(Object.keys(response.results).length === images.length, 'kyverno: an entry per image');
      for (const image of images) check(Object.prototype.hasOwnProperty.call(response.results, image), `kyverno: no entry for ${JSON.stringify(image)}`);
      answersAs(response, 'kyverno');
      return response;
    },
    expected: isBadRequest,
  },
  {
    // POST /v1/verify: {"images": [...]} → {"results": [verify --output json…]}, decided by the policy.
    name: 'verify-request',
    json: true,
    dictionary: REQUEST_TOKENS,
    run(b) {
      const images = factsImages(requestJson(b), MAX_KEYS);
      checkKeys(images, 'verify');
      const results = images.map((image, i) => verifyJson(image, factsFor(image, i), 1, policyIR()));
      results.forEach((r, i) => check(r.image === images[i] && (r.verified ? r.decision?.allowed === true : true), `verify: the answer for ${JSON.stringify(images[i])}`));
      answersAs({ results }, 'verify');
      return results;
    },
    expected: isBadRequest,
  },
  {
    name: 'www-authenticate',
    json: false,
    dictionary: ['Bearer ', 'Basic ', 'realm=', 'service=', 'scope=', '"', '\\"', ', ', '=', '\t'],
    run: (b) => parseChallenge(utf8(b)),
    expected: () => false,
  },
];
