// The GitHub Action and the GitLab template run scripts/ci/atcr-verify-ci.sh; this runs the
// script as they do (settings in the environment, outputs to $GITHUB_OUTPUT) against the
// built binary, on the shipped policies and the committed offline example.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, ROOT } from './run.js';

const SCRIPT = join(ROOT, 'scripts/ci/atcr-verify-ci.sh');
const image = readFileSync(join(ROOT, 'examples/image.txt'), 'utf8').trim();
const offline = '--offline --bundle examples/bundle.json --now 2026-12-10T00:00:00Z';

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  dir: string;
}

function runScript(env: Record<string, string>): Promise<ScriptRun> {
  const dir = mkdtempSync(join(tmpdir(), 'atcr-ci-'));
  const outputFile = join(dir, 'github-output');
  writeFileSync(outputFile, '');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        ATCR_VERIFY_BIN: `${process.execPath} ${BIN}`,
        ATCR_SARIF_FILE: join(dir, 'lint.sarif'),
        ATCR_RESULTS_FILE: join(dir, 'results.json'),
        GITHUB_OUTPUT: outputFile,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const outputs = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      resolve({ code, stdout, stderr, outputs, dir });
    });
  });
}

beforeAll(() => assertBuilt());

describe('scripts/ci/atcr-verify-ci.sh (the GitHub Action and GitLab template)', () => {
  it('lints the shipped policies into a SARIF file and reports a clean run', async () => {
    const run = await runScript({ ATCR_POLICY_PATHS: 'policies/', ATCR_ANNOTATIONS: 'github' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs['lint-exit']).toBe('0');
    expect(run.outputs['verify-exit']).toBe('skipped');
    const sarif = JSON.parse(readFileSync(run.outputs['sarif-file']!, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].tool.driver.name).toBe('atcr-verify');
  });

  it('turns a lint error into exit 1, a SARIF result and a GitHub annotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atcr-ci-policy-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\npolicies:\n  - name: broken\n    scope: "atcr.io/acme/*"\n    require:\n      minSignatures: 0\n');
    const run = await runScript({ ATCR_POLICY_PATHS: bad, ATCR_ANNOTATIONS: 'github' });
    expect(run.code).toBe(1);
    expect(run.outputs['lint-exit']).toBe('1');
    const sarif = JSON.parse(readFileSync(run.outputs['sarif-file']!, 'utf8'));
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/^::error file=.*bad\.yaml,line=\d+,col=\d+/m);
  });

  it('verifies a list of images and collects their JSON results', async () => {
    const run = await runScript({ ATCR_IMAGES: `${image}\n${image}\n`, ATCR_POLICY: 'examples/policy.yaml', ATCR_VERIFY_ARGS: offline });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs['verify-exit']).toBe('0');
    const results = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    expect(results).toHaveLength(2);
    for (const r of results) expect(r).toMatchObject({ image, verified: true, decision: { allowed: true, policy: 'example' } });
  });

  it('fails the step when the policy denies an image, and says which', async () => {
    const run = await runScript({
      ATCR_IMAGES: image,
      ATCR_POLICY: 'examples/policy.yaml',
      ATCR_VERIFY_ARGS: '--offline --bundle examples/bundle.json --now 2028-01-01T00:00:00Z',
    });
    expect(run.code).toBe(1);
    expect(run.outputs['verify-exit']).toBe('1');
    expect(run.stderr).toContain(`verify ${image}: exit 1`);
    const [result] = JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8'));
    expect(result.decision.violations.map((v: { code: string }) => v.code)).toContain('signature-expired');
  });

  it('refuses a setting it does not know instead of guessing', async () => {
    const run = await runScript({ ATCR_POLICY_PATHS: 'policies/', ATCR_STRICT: 'yes' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ATCR_STRICT must be true or false');
  });
});

describe('the CI definitions call the tested script', () => {
  it('action.yml runs scripts/ci/atcr-verify-ci.sh with every input mapped to its variable', () => {
    const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    const step = action.runs.steps.find((s: { id?: string }) => s.id === 'run');
    expect(step.run).toContain('scripts/ci/atcr-verify-ci.sh');
    const mapped = Object.values(step.env as Record<string, string>).join(' ');
    for (const input of Object.keys(action.inputs)) {
      if (input === 'version') continue;
      expect(mapped, `input ${input}`).toContain(`inputs.${input}`);
    }
    for (const output of Object.keys(action.outputs)) expect(action.outputs[output].value).toContain(`steps.run.outputs.${output}`);
  });

  it('the GitLab template runs the same script from the installed package', () => {
    const gitlab = parseYaml(readFileSync(join(ROOT, 'ci/gitlab/atcr-verify.gitlab-ci.yml'), 'utf8'));
    expect(gitlab['atcr-verify'].script.join('\n')).toContain('atcr-verify/scripts/ci/atcr-verify-ci.sh');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.files).toContain('scripts/ci');
  });

  it('the pre-commit hook runs policy lint on policy folders only', () => {
    const [hook] = parseYaml(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8'));
    expect(hook.entry).toBe('atcr-verify policy lint');
    expect(new RegExp(hook.files).test('policies/production.yaml')).toBe(true);
    expect(new RegExp(hook.files).test('deploy/app.yaml')).toBe(false);
  });
});
