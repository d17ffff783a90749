// `--timeout` bounds the whole command, not only each request: a registry that answers
// every request in time but slowly still ends in exit 3 ("could not decide").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli } from './run.js';

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
  layers: [],
});
const EMPTY_INDEX = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });

let server: http.Server;
let host = '';

beforeAll(async () => {
  assertBuilt();
  // Every answer takes 600 ms: each request is well within its own limit.
  server = http.createServer((req, res) =>
    setTimeout(() => {
      const isManifest = /\/manifests\//.test(req.url ?? '');
      res.setHeader('content-type', isManifest ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.oci.image.index.v1+json');
      res.end(req.method === 'HEAD' ? undefined : isManifest ? MANIFEST : EMPTY_INDEX);
    }, 600),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('verify --timeout', () => {
  it('ends a slow verification at the overall limit with exit 3', async () => {
    const r = await cli(['verify', `${host}/alice/app:1`, '--timeout', '1s']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('atcr-verify: did not finish within --timeout 1s; could not decide\n');
  });

  it('lets the same verification finish under a longer limit (no signatures: exit 1)', async () => {
    const r = await cli(['verify', `${host}/alice/app:1`, '--timeout', '20s', '--output', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ verified: false, signatures: [] });
  });
});
