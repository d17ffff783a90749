// Makes the example offline bundle once, for the stable name atcr.io/alice.test/hello:1.0:
// starts the test world (a real PDS, PLC directory and registry on loopback), pushes the
// image there, signs it as two users exactly as an atcr.io image is signed (the record
// names the repository without the owner segment), exports the bundle with the loopback
// registry treated as an owner registry, and renames the image in it to atcr.io.
// Run after `npm run build`:
//   node examples/make-bundle.mjs
// The outputs are committed; `test/integration/examples.test.ts` verifies them offline.
//
// Why the rename is sound: nothing a signature covers names the registry host. The
// record holds the repository (`hello`) and the digest; the bundle's image is checked by
// its digest; the owner (alice.test → her DID) is checked against her DID document. The
// script verifies the renamed bundle offline, as a user will, before writing it.

import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AtprotoWorld } from '../dist/test/support/atproto-world.js';
import { exportBundle } from '../dist/src/kernel/export.js';
import { parseBundle, serializeBundle } from '../dist/src/kernel/bundle/format.js';
import { verifyImage } from '../dist/src/kernel/verify.js';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const world = await AtprotoWorld.start();
// The handle's HTTPS lookup (`/.well-known/atproto-did`), as alice.test's host would answer it.
const handles = new Map();
const wellKnown = http.createServer((req, res) => {
  const did = handles.get(decodeURIComponent((req.url ?? '').slice(1)));
  res.writeHead(did ? 200 : 404, { 'content-type': 'text/plain' }).end(did ?? '');
});
await new Promise((r) => wellKnown.listen(0, '127.0.0.1', r));
try {
  const alice = await world.account('alice');
  const release = await world.account('release-bot');
  handles.set(alice.handle, alice.did);
  const repo = `${alice.handle}/hello`;
  const published = `atcr.io/${repo}:1.0`;
  const image = await world.image(repo, '1.0');
  const asOnAtcr = { recordRepository: 'hello', payloadRepository: `atcr.io/${repo}` };
  await world.sign(alice, image, asOnAtcr);
  await world.sign(release, image, asOnAtcr);
  const { bundle } = await exportBundle({
    image: image.ref,
    plcUrl: world.plcUrl,
    allowPrivateNetwork: true,
    ownerRegistries: [world.registryHost],
    handleWellKnownUrl: (h) => `http://127.0.0.1:${wellKnown.address().port}/${encodeURIComponent(h)}`,
  });
  bundle.image.reference = published;
  const text = serializeBundle(bundle);
  const offline = await verifyImage({ image: published, bundle: parseBundle(new TextEncoder().encode(text)) });
  if (!offline.signatures.every((s) => s.valid) || offline.signatures.length !== 2) throw new Error(`the renamed bundle does not verify: ${JSON.stringify(offline.signatures)}`);
  if (offline.owner !== alice.did) throw new Error(`the renamed bundle's owner is ${JSON.stringify(offline.owner)}, not ${alice.did}`);
  writeFileSync(here('bundle.json'), text);
  writeFileSync(here('image.txt'), `${published}\n`);
  writeFileSync(
    here('policy.yaml'),
    [
      '# Trust policy for the example bundle (examples/bundle.json).',
      '# The image must carry signatures from both Alice and the release bot, made within a year.',
      'version: 1',
      'unmatched: deny',
      'policies:',
      '  - name: example',
      `    scope: "atcr.io/${alice.handle}/*"`,
      '    require:',
      `      trustedDIDs: [${alice.did}, ${release.did}]`,
      '      minSignatures: 2',
      '      maxAge: 365d',
      '',
    ].join('\n'),
  );
  console.log(`wrote examples/bundle.json for ${published} (${image.pushed.digest})`);
  console.log(`signers: alice ${alice.did}, release-bot ${release.did}`);
} finally {
  wellKnown.close();
  await world.stop();
}
