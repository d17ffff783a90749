// One way to read a file named by a user or a configuration: the size is checked before
// the read (fstat) and during it (never more than the limit plus one byte is read), the
// file is opened non-blocking so a FIFO with no writer cannot hang the open, and a pipe
// or device is read in chunks under a deadline. Every file the CLI, the service and the
// plugins read goes through here: policies, suites, bundles, CA files, the Docker config,
// inputs, manifests, the service's certificates, key and cache key, the plugins' settings.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { escapeControls } from '../diagnostics/format.js';

export type FileReadFault = 'missing' | 'denied' | 'directory' | 'too-large' | 'empty' | 'timeout' | 'unreadable';

/** Why a file could not be read; `message` is a sentence that names the file (escaped). */
export class FileReadError extends Error {
  constructor(
    readonly fault: FileReadFault,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export interface ReadLimits {
  /** The most bytes the file may hold. */
  maxBytes: number;
  /** What the file is, in errors, e.g. `bundle` or `--ca-file` ('' for nothing). */
  what: string;
  /** The name errors give the file (default: the path as given). */
  shownAs?: string;
  /** Ends the read (a pipe that never closes) with a `timeout` fault. */
  signal?: AbortSignal;
  /** For the synchronous reader: the time (Date.now()) past which the read stops. */
  deadline?: number;
  /**
   * No bytes is an `empty` fault: for files that cannot mean anything empty (a
   * certificate, a key, a configuration), and what a FIFO with no writer reads as.
   */
  refuseEmpty?: boolean;
}

/** Bytes read per call; a regular file is read in as few calls as its size allows. */
const CHUNK = 1 << 20;
/** Bytes read per call from a regular file that has grown past what fstat said. */
const GROWTH = 1 << 16;
/** How long to wait for a pipe that has no data yet, at most, before trying again. */
const MAX_WAIT_MS = 50;

// O_NONBLOCK: opening a FIFO without a writer returns at once instead of blocking a thread
// forever; O_NOCTTY: a terminal named as a file does not become the controlling one.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function shown(limits: ReadLimits, path: string): string {
  const name = escapeControls(limits.shownAs ?? path);
  return limits.what ? `${limits.what} ${name}` : name;
}

/** `64 MiB`, `4 KiB` or `100 bytes`. */
export function sizeText(bytes: number): string {
  return bytes >= 2 ** 20 && bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

function tooLarge(limits: ReadLimits, path: string): FileReadError {
  return new FileReadError('too-large', path, `${shown(limits, path)} is larger than ${sizeText(limits.maxBytes)}`);
}

function timedOut(limits: ReadLimits, path: string): FileReadError {
  return new FileReadError('timeout', path, `${shown(limits, path)} was still being read when the time limit passed`);
}

function fromErrno(err: unknown, limits: ReadLimits, path: string): FileReadError {
  if (err instanceof FileReadError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const s = shown(limits, path);
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileReadError('missing', path, `${s} does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return new FileReadError('denied', path, `${s} is not readable (permission denied)`);
  if (code === 'EISDIR') return new FileReadError('directory', path, `${s} is a directory`);
  if (code === 'ELOOP') return new FileReadError('unreadable', path, `${s} is a symbolic link loop`);
  return new FileReadError('unreadable', path, `${s} cannot be read (${code ?? 'error'})`);
}

/** Checks what fstat says before any byte is read. */
function checkStats(st: Stats, limits: ReadLimits, path: string): void {
  if (st.isDirectory()) throw new FileReadError('directory', path, `${shown(limits, path)} is a directory`);
  if (st.isFile() && st.size > limits.maxBytes) throw tooLarge(limits, path);
}

/** Collects chunks, refusing the byte past the limit. */
class Collector {
  private readonly chunks: Buffer[] = [];
  size = 0;
  constructor(
    private readonly limits: ReadLimits,
    private readonly path: string,
  ) {}
  /** The buffer to read into next: never more than one byte past the limit in total. */
  room(st: Stats): Buffer {
    // A regular file: its size and one byte more, to see the end (or that it grew).
    const want = !st.isFile() ? CHUNK : this.size < st.size ? st.size - this.size + 1 : GROWTH;
    return Buffer.allocUnsafe(Math.max(1, Math.min(want, this.limits.maxBytes + 1 - this.size)));
  }
  add(buf: Buffer, n: number): void {
    this.size += n;
    if (this.size > this.limits.maxBytes) throw tooLarge(this.limits, this.path);
    this.chunks.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }
}

/** A read that failed because a pipe has no data yet is -1 bytes (the loop waits); any other failure stands. */
function blocked(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return -1;
  throw err;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What the read loop asks of its driver: fill a buffer (answer the bytes read, -1 when the pipe would block), or wait. */
type Step = { read: Buffer } | { wait: number };

function expired(limits: ReadLimits): boolean {
  return Boolean(limits.signal?.aborted) || (limits.deadline !== undefined && Date.now() > limits.deadline);
}

/** The read loop itself, shared by the asynchronous and the synchronous reader. */
function* readSteps(st: Stats, limits: ReadLimits, path: string): Generator<Step, Buffer, number> {
  checkStats(st, limits, path);
  const got = new Collector(limits, path);
  let wait = 1;
  for (;;) {
    if (expired(limits)) throw timedOut(limits, path);
    const buf = got.room(st);
    const n = yield { read: buf };
    if (n < 0) {
      // A pipe whose writer has not written yet: wait, a little longer each time.
      yield { wait };
      wait = Math.min(wait * 2, MAX_WAIT_MS);
      continue;
    }
    if (n === 0) {
      if (got.size === 0 && limits.refuseEmpty) {
        throw new FileReadError('empty', path, `${shown(limits, path)} is empty${st.isFIFO() ? ' (a pipe that nothing writes to)' : ''}`);
      }
      return got.bytes();
    }
    wait = 1;
    got.add(buf, n);
  }
}

/** Reads `path` whole, within `limits`; every failure is a FileReadError. */
export async function readBounded(path: string, limits: ReadLimits): Promise<Buffer> {
  if (expired(limits)) throw timedOut(limits, path);
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS);
  } catch (err) {
    throw fromErrno(err, limits, path);
  }
  try {
    const steps = readSteps(await fh.stat(), limits, path);
    for (let step = steps.next(); ; ) {
      if (step.done) return step.value;
      const s = step.value;
      if ('wait' in s) await sleep(s.wait, limits.signal);
      step = steps.next('wait' in s ? 0 : await fh.read(s.read, 0, s.read.length, null).then((r) => r.bytesRead, blocked));
    }
  } catch (err) {
    throw fromErrno(err, limits, path);
  } finally {
    await fh.close().catch(() => {});
  }
}

/** Blocks the thread for `ms` without spinning (for the synchronous reader's pipes). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The synchronous twin, for the few readers that must stay synchronous (the Docker
 * config, read when a registry client is made, and --ca-file). A pipe is waited for only
 * until `deadline`; without one, not at all.
 */
export function readBoundedSync(path: string, limits: ReadLimits): Buffer {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    throw fromErrno(err, limits, path);
  }
  try {
    const steps = readSteps(fstatSync(fd), limits, path);
    for (let step = steps.next(); ; ) {
      if (step.done) return step.value;
      const s = step.value;
      if ('wait' in s) {
        if (limits.deadline === undefined) throw timedOut(limits, path);
        sleepSync(s.wait);
        step = steps.next(0);
      } else {
        let n: number;
        try {
          n = readSync(fd, s.read, 0, s.read.length, null);
        } catch (err) {
          n = blocked(err);
        }
        step = steps.next(n);
      }
    }
  } catch (err) {
    throw fromErrno(err, limits, path);
  } finally {
    closeSync(fd);
  }
}
