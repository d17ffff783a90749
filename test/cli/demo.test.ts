// `npm run demo` as a person and as a log see it: bold titles only on a terminal, and
// never with NO_COLOR (https://no-color.org). A terminal is made with util-linux `script`.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { assertBuilt, ROOT } from './run.js';

const ESC = '\x1b';

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const { NO_COLOR: _unset, ...plainEnv } = process.env;
const demo = `${process.execPath} scripts/demo.mjs`;

describe('npm run demo', () => {
  it('prints no escape codes into a pipe, and passes', async () => {
    assertBuilt();
    const r = await run(process.execPath, ['scripts/demo.mjs'], plainEnv);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain(ESC);
    expect(r.out).toContain('VERIFIED');
  }, 120_000);

  it('on a terminal: bold titles, and none with NO_COLOR', async () => {
    const tty = await run('script', ['-qec', demo, '/dev/null'], plainEnv);
    expect(tty.code, tty.out).toBe(0);
    expect(tty.out).toContain(`${ESC}[1m$ atcr-verify policy lint`);
    const noColor = await run('script', ['-qec', demo, '/dev/null'], { ...plainEnv, NO_COLOR: '1' });
    expect(noColor.code).toBe(0);
    expect(noColor.out).not.toContain(ESC);
  }, 120_000);
});
