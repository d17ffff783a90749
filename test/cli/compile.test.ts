// `policy compile -o DIR`: a bad output directory is a clear usage error, never a hang
// or an internal error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli } from './run.js';

beforeAll(assertBuilt);

describe('policy compile output directory', () => {
  it('a file where the directory should be: exit 2 naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atcr-compile-'));
    const file = path.join(dir, 'taken');
    writeFileSync(file, 'x');
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'rego', '-o', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`atcr-verify: cannot write ${file}/policy.rego (-o ${file}): ${file} is not a directory\n`);
  });

  it('a directory that cannot be created (under /proc): exit 2, no hang', async () => {
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'rego', '-o', '/proc/atcr-nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^atcr-verify: cannot write \/proc\/atcr-nope\/policy\.rego \(-o \/proc\/atcr-nope\): /);
  });

  it('nested missing directories are created and every artifact path is printed', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'atcr-compile-')), 'a', 'b');
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'all', '-o', out]);
    expect(r.code).toBe(0);
    const paths = r.stdout.trim().split('\n');
    for (const t of ['rego/policy.rego', 'wasm/policy.wasm', 'gatekeeper/constraint-template.yaml', 'kyverno/clusterpolicy.yaml']) {
      expect(paths).toContain(path.join(out, t));
    }
  });
});
