// The one bounded file reader: the limit holds before and during the read, a FIFO without
// a writer cannot hang it, a pipe that never ends stops at the deadline, and every failure
// is a FileReadError naming the file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileReadError, readBounded, readBoundedSync, type ReadLimits } from '../../src/fs/read-bounded.js';

const dir = mkdtempSync(path.join(tmpdir(), 'atcr-read-'));
const limits = (maxBytes: number, extra: Partial<ReadLimits> = {}): ReadLimits => ({ what: 'bundle', maxBytes, ...extra });

async function fault(p: Promise<unknown> | (() => unknown)): Promise<FileReadError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(FileReadError);
    return err as FileReadError;
  }
  throw new Error('expected a FileReadError');
}

function fifo(name: string): string {
  const p = path.join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

describe.each([
  ['readBounded', (p: string, l: ReadLimits) => readBounded(p, l)],
  ['readBoundedSync', async (p: string, l: ReadLimits) => readBoundedSync(p, l)],
] as const)('%s', (_name, read) => {
  it('reads a file at the limit and refuses one byte more, naming it', async () => {
    const f = path.join(dir, 'seven.json');
    writeFileSync(f, '[1,2,3]');
    expect((await read(f, limits(7))).toString()).toBe('[1,2,3]');
    const e = await fault(read(f, limits(6)));
    expect(e.fault).toBe('too-large');
    expect(e.message).toBe(`bundle ${f} is larger than 6 bytes`);
  });

  it('refuses a large regular file from its size, before reading it', async () => {
    // A sparse 100 MiB file: reading it whole would take 100 MiB of memory first.
    const f = path.join(dir, 'sparse.bin');
    writeFileSync(f, '');
    truncateSync(f, 100 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    const e = await fault(read(f, limits(64 * 2 ** 20)));
    expect(e.message).toBe(`bundle ${f} is larger than 64 MiB`);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
  });

  it('stops a device that never ends (/dev/zero, also through a link) at the limit', async () => {
    const link = path.join(dir, `zero-${_name}`);
    symlinkSync('/dev/zero', link);
    for (const p of ['/dev/zero', link]) {
      const e = await fault(read(p, limits(2 ** 20)));
      expect(e.fault).toBe('too-large');
      expect(e.message).toBe(`bundle ${p} is larger than 1 MiB`);
    }
  });

  it('reads a FIFO that has no writer as empty, at once', async () => {
    expect((await read(fifo(`nowriter-${_name}`), limits(100, { deadline: Date.now() + 60_000 }))).length).toBe(0);
  });

  it('with refuseEmpty, names an empty file and a FIFO with no writer as empty', async () => {
    const f = path.join(dir, `empty-${_name}`);
    writeFileSync(f, '');
    expect((await fault(read(f, limits(100, { refuseEmpty: true })))).message).toBe(`bundle ${f} is empty`);
    const p = fifo(`empty-nowriter-${_name}`);
    const e = await fault(read(p, limits(100, { refuseEmpty: true, deadline: Date.now() + 60_000 })));
    expect(e.fault).toBe('empty');
    expect(e.message).toBe(`bundle ${p} is empty (a pipe that nothing writes to)`);
  });

  it('names a missing file, a directory and an unreadable one', async () => {
    expect((await fault(read(path.join(dir, 'nope'), limits(10)))).message).toBe(`bundle ${path.join(dir, 'nope')} does not exist`);
    const sub = path.join(dir, `sub-${_name}`);
    mkdirSync(sub);
    expect((await fault(read(sub, limits(10)))).fault).toBe('directory');
    const loop = path.join(dir, `loop-${_name}`);
    symlinkSync(loop, loop);
    expect((await fault(read(loop, limits(10)))).message).toBe(`bundle ${loop} is a symbolic link loop`);
  });

  it('escapes control characters of the name in its messages', async () => {
    const e = await fault(read(path.join(dir, 'a\u001b[2Jb'), limits(10)));
    expect(e.message).not.toContain('\u001b');
  });
});

describe('a pipe whose writer never closes', () => {
  it('ends at the abort signal (async) with a timeout fault', async () => {
    const p = fifo('slow-async');
    // A writer that opens the FIFO, writes a little and then holds it open.
    const { spawn } = await import('node:child_process');
    const writer = spawn('sh', ['-c', `exec 3>"${p}"; printf abc >&3; sleep 30`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const e = await fault(readBounded(p, limits(100, { signal: AbortSignal.timeout(300) })));
      expect(e.fault).toBe('timeout');
      expect(e.message).toBe(`bundle ${p} was still being read when the time limit passed`);
    } finally {
      writer.kill();
    }
  });

  it('ends at the deadline (sync) with a timeout fault', async () => {
    const p = fifo('slow-sync');
    const { spawn } = await import('node:child_process');
    const writer = spawn('sh', ['-c', `exec 3>"${p}"; printf abc >&3; sleep 30`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect((await fault(() => readBoundedSync(p, limits(100, { deadline: Date.now() + 300 })))).fault).toBe('timeout');
    } finally {
      writer.kill();
    }
  });
});
