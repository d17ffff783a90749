// What a new user trips over first: typos of commands, nested help, shell completion and
// what --version says. All through the built binary.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, STACK_FRAME } from './run.js';

beforeAll(assertBuilt);

describe('mistyped commands', () => {
  it.each([
    [['polcy', 'lint', 'x.yaml'], 'did you mean "policy"?'],
    [['verfy', 'atcr.io/a/b:1'], 'did you mean "verify"?'],
    [['lint', 'x.yaml'], 'did you mean "atcr-verify policy lint"?'],
    [['--debug', 'complection', 'bash'], 'did you mean "completion"?'],
  ])('%j is a usage error with a suggestion, not an image', async (args, hint) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(hint);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).toBe('');
  });

  it('a reference with a registry, tag or digest is still an image (shorthand for verify)', async () => {
    // Offline against a bundle for another image: the verify command answers, not the typo check.
    const r = await cli(['policy:1.0', '--offline', '--bundle', 'examples/bundle.json']);
    expect(r.stderr).not.toContain('is not a command');
  });
});

describe('help', () => {
  it('`help policy lint` shows lint\'s own help', async () => {
    const a = await cli(['help', 'policy', 'lint']);
    const b = await cli(['policy', 'lint', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('Usage: atcr-verify policy lint');
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('--version', () => {
  it('names the tool, IR version and engines', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^atcr-verify \d+\.\d+\.\d+\nIR version 1\nengines: native, wasm/);
  });
});

describe('completion', () => {
  it('refuses an unknown shell', async () => {
    const r = await cli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bash, zsh, fish');
  });

  it('the bash script completes commands, policy subcommands and their flags', async () => {
    const script = (await cli(['completion', 'bash'])).stdout;
    const dir = mkdtempSync(join(tmpdir(), 'atcr-compl-'));
    writeFileSync(join(dir, 'c.bash'), script);
    const complete = (...words: string[]): string[] =>
      execFileSync(
        'bash',
        ['-c', `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _atcr_verify; printf '%s\\n' "\${COMPREPLY[@]}"`, 'x', join(dir, 'c.bash'), 'atcr-verify', ...words],
        { cwd: dir, encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete('pol')).toEqual(['policy']);
    expect(complete('policy', 'co')).toEqual(['compile']);
    expect(complete('policy', 'lint', '--for')).toEqual(['--format']);
    expect(complete('verify', '--pol')).toEqual(['--policy']);
  });

  it.each(['zsh', 'fish'])('prints a %s script naming every command', async (shell) => {
    const r = await cli(['completion', shell]);
    expect(r.code).toBe(0);
    for (const word of ['policy', 'verify', 'export', 'sign', 'compile', '--policy']) expect(r.stdout).toContain(word.replace(/^--/, ''));
  });
});

describe('policy eval: valid JSON of the wrong shape', () => {
  it.each([
    ['{"image":"nginx","sigs":[]}', '$.signatures is missing'],
    ['[{"image":"nginx","signatures":[]},{"image":"x","signatures":{}}]', '$[1].signatures must be an array, not an object'],
    ['{"signatures":[]}', '$.image is missing'],
    ['{"image":"nginx","signatures":[],"now":"yesterday"}', '$.now must be an RFC 3339 time'],
    ['"nginx"', '$ must be an object, not a string'],
  ])('%s is bad input (exit 2) naming the JSON path', async (input, message) => {
    const r = await cli(['policy', 'eval', 'policies/production.yaml', '--input', '-'], input);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`<stdin>: ${message}`);
    expect(r.stdout).toBe('');
  });

  it('a well-formed input that does not parse as a reference is still a decision', async () => {
    const r = await cli(['policy', 'eval', 'policies/production.yaml', '--input', '-'], '{"image":"atcr.io/Globex/x","signatures":[]}');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations[0].code).toBe('invalid-image');
  });
});

describe('policy explain --image with a reference that does not parse', () => {
  it('says why', async () => {
    const r = await cli(['policy', 'explain', 'policies/production.yaml', '--image', 'atcr.io/Globex/x']);
    expect(r.stdout).toContain('the reference does not parse: repository names must be lower-case: "Globex"');
  });
});
