// `policy test DIR` and `policy lint DIR` walk directories without looping on links and
// without tripping over entries that are not what they look for (issue 12, item 7).
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, ROOT, STACK_FRAME } from './run.js';
import { findFiles } from '../../src/fs/walk.js';

/** A tree with the third-party policy and its suite, a link loop, a second link to the same
 * directory, and a dangling link that is not a suite. */
function tree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'atcr-walk-'));
  mkdirSync(path.join(dir, 'team'));
  for (const f of ['third-party.yaml', 'third-party.test.yaml']) cpSync(path.join(ROOT, 'policies', f), path.join(dir, 'team', f));
  symlinkSync('..', path.join(dir, 'team', 'up')); // team/up/team/up/… forever
  symlinkSync('team', path.join(dir, 'again'));
  symlinkSync('/nonexistent/target', path.join(dir, 'team', 'notes.md'));
  writeFileSync(path.join(dir, 'README.md'), 'not a policy\n');
  return dir;
}

beforeAll(() => assertBuilt());

describe('findFiles', () => {
  it('walks each directory once, follows no loop, ignores a dangling link that does not match', async () => {
    const dir = tree();
    const { files, unreadable } = await findFiles([dir], (n) => n.endsWith('.yaml'));
    expect(unreadable).toEqual([]);
    expect(files.map((f) => path.basename(f))).toEqual(['third-party.test.yaml', 'third-party.yaml']);
  });

  it('lists a matching dangling link, for its reader to report', async () => {
    const dir = tree();
    symlinkSync('/nonexistent/suite', path.join(dir, 'team', 'gone.test.yaml'));
    const { files } = await findFiles([dir], (n) => n.endsWith('.test.yaml'));
    expect(files.map((f) => path.relative(dir, f))).toEqual([path.join('again', 'gone.test.yaml'), path.join('again', 'third-party.test.yaml')]);
  });
});

describe('policy test DIR', () => {
  it('runs each suite once through a tree with link loops and a dangling link: exit 0', async () => {
    const r = await cli(['policy', 'test', tree()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/third-party\.test\.yaml/g)).toHaveLength(1);
  });

  it('a dangling link named like a suite is an input error naming it: exit 2', async () => {
    const dir = tree();
    symlinkSync('/nonexistent/suite', path.join(dir, 'team', 'gone.test.yaml'));
    const r = await cli(['policy', 'test', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gone.test.yaml does not exist');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('policy lint DIR', () => {
  it('lints the policies and suites under a directory like policy test finds them', async () => {
    const r = await cli(['policy', 'lint', tree(), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('reports a broken policy found in a directory', async () => {
    const dir = tree();
    writeFileSync(path.join(dir, 'team', 'broken.yaml'), 'version: 1\npolicies: [\n');
    const r = await cli(['policy', 'lint', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('broken.yaml');
  });
});
