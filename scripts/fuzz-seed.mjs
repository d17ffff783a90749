// Writes the initial seed corpus of every fuzz target from the repository's own examples
// (examples/bundle.json holds a real manifest, payload, DID document, PLC log and CAR
// proof) and a few hand-written inputs. Run once; the result is committed under fuzz/corpus/.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = (target, name, data) => {
  const dir = path.join(root, 'fuzz', 'corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), data);
};
const b64 = (s) => Buffer.from(s, 'base64');
const bundle = JSON.parse(readFileSync(path.join(root, 'examples/bundle.json'), 'utf8'));

out('bundle', 'example.json', readFileSync(path.join(root, 'examples/bundle.json')));
out('oci-manifest', 'image.json', b64(bundle.image.manifest));
out('oci-manifest', 'index.json', JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 7, platform: { architecture: 'amd64', os: 'linux' } }] }));
bundle.signatures.forEach((s, i) => {
  out('oci-manifest', `artifact-${i}.json`, b64(s.artifactManifest));
  out('payload', `payload-${i}.json`, b64(s.payload));
  out('did-document', `did-${i}.json`, b64(s.didDocument));
  out('plc-log', `log-${i}.json`, b64(s.plcAuditLog));
  out('car', `proof-${i}.car`, b64(s.proof));
  out('commit', `proof-${i}.car`, b64(s.proof));
});

for (const f of readdirSync(path.join(root, 'policies'))) out('policy-yaml', f, readFileSync(path.join(root, 'policies', f)));
out('policy-yaml', 'example.yaml', readFileSync(path.join(root, 'examples/policy.yaml')));

const sig = { valid: true, did: 'did:plc:acmerelease2manager4one', algorithm: 'ES256K', signedAt: '2026-11-20T00:00:00Z', handle: 'rm.acme.com', pds: 'https://pds.acme.com' };
const inputs = [
  { image: 'atcr.io/acme/api:1.0', now: '2026-11-25T12:00:00Z', signatures: [sig] },
  { image: 'atcr.io/acme/api@sha256:' + 'b'.repeat(64), owner: 'did:plc:acmerelease2manager4one', signatures: [{ ...sig, valid: false, error: { code: 'signature-invalid' } }] },
  { image: 'docker.io/library/alpine', signatures: [] },
];
inputs.forEach((v, i) => out('decision-input', `input-${i}.json`, JSON.stringify(v, null, i)));
out('batch-bytes', 'batch.json', JSON.stringify(inputs));
out('batch-bytes', 'batch-pretty.json', JSON.stringify(inputs, null, 2));
out('batch-bytes', 'odd.json', '[{"image":"a\\u002fb","junk":[[[{}]]],"n":[1e400,-0],"signatures":[1,null,{"valid":"true"}]},7,"x"]');

const refs = ['atcr.io/alice/app:1.0', 'localhost:5000/x:dev', '[::1]:5000/app', 'MyHost/app', 'alpine', `ghcr.io/a/b:1@sha256:${'c'.repeat(64)}`, 'index.docker.io/library/nginx', 'a.io:65535/x__y-z.w'];
refs.forEach((r, i) => out('image-ref', `ref-${i}.txt`, r));

['Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"', 'Basic realm="x"', 'Bearer realm="a\\"b", error="insufficient_scope"'].forEach((h, i) =>
  out('www-authenticate', `header-${i}.txt`, h),
);
