// Makes the example offline bundle once: starts the test world (a real PDS, PLC
// directory and registry on loopback), signs an image as two users, exports the bundle
// and writes a policy for it. Run after `npm run build`:
//   node examples/make-bundle.mjs
// The outputs are committed; `test/integration/examples.test.ts` verifies them offline.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AtprotoWorld } from '../dist/test/support/atproto-world.js';
import { exportBundle } from '../dist/src/kernel/export.js';
import { serializeBundle } from '../dist/src/kernel/bundle/format.js';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const world = await AtprotoWorld.start();
try {
  const alice = await world.account('alice');
  const release = await world.account('release-bot');
  const image = await world.image('alice/hello', '1.0');
  await world.sign(alice, image);
  await world.sign(release, image);
  const { bundle, report } = await exportBundle({ image: image.ref, plcUrl: world.plcUrl, allowPrivateNetwork: true });
  if (!report.signatures.every((s) => s.valid)) throw new Error('example signatures do not verify');
  writeFileSync(here('bundle.json'), serializeBundle(bundle));
  writeFileSync(here('image.txt'), `${image.ref}\n`);
  writeFileSync(
    here('policy.yaml'),
    [
      '# Trust policy for the example bundle (examples/bundle.json).',
      '# The image must carry signatures from both Alice and the release bot, made within a year.',
      'version: 1',
      'unmatched: deny',
      'policies:',
      '  - name: example',
      `    scope: "${world.registryHost}/alice/*"`,
      '    require:',
      `      trustedDIDs: [${alice.did}, ${release.did}]`,
      '      minSignatures: 2',
      '      maxAge: 365d',
      '',
    ].join('\n'),
  );
  console.log(`wrote examples/bundle.json for ${image.ref} (${image.pushed.digest})`);
  console.log(`signers: alice ${alice.did}, release-bot ${release.did}`);
} finally {
  await world.stop();
}
