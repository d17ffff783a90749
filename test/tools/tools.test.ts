// Every pinned tool in tools/versions.tsv is built, runs, and is the pinned module version.
// A missing tool fails here (toolPath throws naming it and the build command).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localToolKey, localToolPath, toolPath, toolPins, TOOL_NAMES } from '../support/tools.js';

// These print their module version in `version_args` output. ratify, kubeconform and helm
// print an empty, "development" or major.minor version when built without their Makefiles'
// ldflags, so for them the module version embedded by the Go toolchain is the check.
const PRINTS_VERSION = new Set(['opa', 'containerd', 'ctr', 'crane', 'oras', 'kyverno']);

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('pinned tools', () => {
  it('the table names every tool once', () => {
    expect(toolPins().map((p) => p.name).sort()).toEqual([...TOOL_NAMES].sort());
  });

  for (const pin of toolPins()) {
    it(`${pin.name} is ${pin.module}@${pin.version} and runs`, () => {
      const bin = toolPath(pin.name);
      // The Go toolchain embeds the module graph: the binary must be built from the pin.
      const info = run('go', ['version', '-m', bin]);
      const row = info
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((f) => (f[0] === 'mod' || f[0] === 'dep') && f[1] === pin.module);
      expect(row, `${bin} was not built from ${pin.module}`).toBeDefined();
      expect(row![2]).toBe(pin.version);
      const out = run(bin, pin.versionArgs);
      if (PRINTS_VERSION.has(pin.name)) expect(out).toContain(pin.version.replace(/^v/, ''));
    });
  }

  it('a missing tool is an error naming it and its build command', () => {
    const prev = process.env.ATCR_TOOLS_CACHE;
    process.env.ATCR_TOOLS_CACHE = mkdtempSync(join(tmpdir(), 'atcr-tools-empty-'));
    try {
      expect(() => toolPath('opa')).toThrow(/tool "opa" \(github\.com\/open-policy-agent\/opa@v.*bash scripts\/tools\/build\.sh opa/);
    } finally {
      if (prev === undefined) delete process.env.ATCR_TOOLS_CACHE;
      else process.env.ATCR_TOOLS_CACHE = prev;
    }
  });
});

describe('local Go tools', () => {
  // Builds in the real cache (its Go build cache is warm) from a unique throw-away module,
  // and removes that one entry afterwards.
  it('build.sh --local and localToolPath agree on the key, and a source change needs a rebuild', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atcr-local-src-'));
    const mod = join(dir, 'atcr-tools-selftest');
    mkdirSync(mod);
    writeFileSync(join(mod, 'go.mod'), 'module example.test/selftest\n\ngo 1.24\n');
    const nonce = `${process.pid}-${Date.now()}`;
    writeFileSync(join(mod, 'main.go'), `package main\n\nimport "fmt"\n\n// ${nonce}\nfunc main() { fmt.Println("hello") }\n`);
    let built: string | undefined;
    try {
      expect(() => localToolPath(mod)).toThrow(/local tool "atcr-tools-selftest".*bash scripts\/tools\/build\.sh --local/);
      built = execFileSync('bash', ['scripts/tools/build.sh', '--local', mod], {
        encoding: 'utf8',
        timeout: 600_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
      expect(built).toBe(localToolPath(mod));
      expect(built).toContain(localToolKey(mod));
      expect(execFileSync(built, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('hello\n');
      writeFileSync(join(mod, 'main.go'), 'package main\n\nfunc main() { println("changed") }\n');
      expect(() => localToolPath(mod)).toThrow(/not built for its current sources/);
    } finally {
      if (built) rmSync(join(built, '..', '..'), { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
