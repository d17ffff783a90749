// `npm run demo`: the main job on the built-in examples, with no network — lint, explain,
// evaluate and test the shipped policies, compile them for every engine, and verify the
// example image's signature offline from its bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const cli = ['dist/src/cli/main.js'];
let failed = false;
// Bold titles only for a person at a terminal: a log file or CI keeps plain text, and
// NO_COLOR (https://no-color.org) turns them off anywhere.
const bold = process.stdout.isTTY && !process.env.NO_COLOR ? (s) => `\x1b[1m${s}\x1b[0m` : (s) => s;

function step(title, args, { input, okCodes = [0] } = {}) {
  console.log(`\n${bold(`$ atcr-verify ${args.join(' ')}`)}  # ${title}`);
  const r = spawnSync(process.execPath, [...cli, ...args], { stdio: [input ? 'pipe' : 'inherit', 'inherit', 'inherit'], input });
  if (!okCodes.includes(r.status ?? -1)) {
    console.log(`  (exit ${r.status}, expected ${okCodes.join(' or ')})`);
    failed = true;
  }
}

step('lint every shipped policy', ['policy', 'lint', 'policies/org-baseline.yaml', 'policies/production.yaml', 'policies/staging.yaml', 'policies/third-party.yaml', 'policies/critical-multisig.yaml']);
step('which policy applies to a production image, and why', ['policy', 'explain', 'policies/production.yaml', '--image', 'atcr.io/acme/prod-api:1.4']);
const batch = JSON.stringify([
  { image: 'atcr.io/acme/prod-api:1.4', now: '2026-11-25T12:00:00Z', signatures: [{ valid: true, did: 'did:plc:acmedevops2team4deploy7', pds: 'https://pds.acme.example', signedAt: '2026-11-20T00:00:00Z' }] },
  { image: 'atcr.io/acme/prod-api:1.4', now: '2026-11-25T12:00:00Z', signatures: [{ valid: true, did: 'did:plc:mallory2evil4signer7xxx', signedAt: '2026-11-20T00:00:00Z' }] },
]);
step('evaluate a batch of two inputs (one allowed, one denied: exit 1)', ['policy', 'eval', 'policies/production.yaml', '--input', '-'], { input: batch, okCodes: [1] });
step('run every policy test suite on the native engine and the WebAssembly module', ['policy', 'test', 'policies/', '--engine', 'all']);
step('compile production for every engine', ['policy', 'compile', 'policies/production.yaml', '--target', 'all', '-o', 'build/policy']);
if (existsSync('examples/bundle.json') && existsSync('examples/image.txt')) {
  const image = readFileSync('examples/image.txt', 'utf8').trim();
  // Decide at the bundle's creation time so the example's maxAge never runs out.
  const { createdAt } = JSON.parse(readFileSync('examples/bundle.json', 'utf8'));
  step('verify the example image offline from its bundle (no network)', [
    'verify', image, '--offline', '--bundle', 'examples/bundle.json', '--policy', 'examples/policy.yaml', '--now', createdAt,
  ]);
}

process.exit(failed ? 1 : 0);
