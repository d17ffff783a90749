// Docker's credential-helper protocol (github.com/docker/docker-credential-helpers):
// `docker-credential-<name> get` reads the registry's server URL on standard input and
// answers {"ServerURL","Username","Secret"} on standard output, or prints "credentials
// not found in native keychain" and exits non-zero. The helper is another program the
// user's config names: it gets a deadline, a cap on what it may print, and its secret
// never appears in an error message.

import { spawn } from 'node:child_process';
import type { Credentials } from './credentials.js';

/** A helper answers a few hundred bytes; this is generous for long tokens. */
export const MAX_HELPER_OUTPUT_BYTES = 64 * 1024;
/** Keychain helpers may wait for an unlock prompt; a CI gate must not wait for ever. */
export const DEFAULT_HELPER_TIMEOUT_MS = 10_000;

/** Docker's `Username` that marks `Secret` as an identity (refresh) token, not a password. */
const IDENTITY_TOKEN_USER = '<token>';

export class CredentialHelperError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialHelperError';
  }
}

export interface HelperOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Where the name came from, for messages (e.g. `credHelpers of /home/u/.docker/config.json`). */
  origin?: string;
}

/** Helper names are a program-name suffix: no path may sneak in through config.json. */
export function validHelperName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name);
}

/**
 * Runs `docker-credential-<name> get` for `serverUrl`. Resolves the credentials, or
 * null when the helper has none for it (anonymous access, as Docker does); rejects with
 * a CredentialHelperError naming the helper when it is missing, fails, times out or
 * answers something unreadable.
 */
export function runCredentialHelper(name: string, serverUrl: string, opts: HelperOptions = {}): Promise<Credentials | null> {
  const program = `docker-credential-${name}`;
  const from = opts.origin ? ` (named by ${opts.origin})` : '';
  if (!validHelperName(name)) return Promise.reject(new CredentialHelperError(`credential helper name ${JSON.stringify(name)}${from} is not a program name`));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  if (opts.signal?.aborted) return Promise.reject(new CredentialHelperError(`${program}${from} was not run: the deadline passed`));
  return new Promise((resolve, reject) => {
    let settled = false;
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const finish = (err: Error | null, value?: Credentials | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(value ?? null);
    };
    const timer = setTimeout(() => finish(new CredentialHelperError(`${program}${from} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = () => finish(new CredentialHelperError(`${program}${from} was stopped: the deadline passed`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(
        new CredentialHelperError(
          e.code === 'ENOENT' ? `credential helper ${program}${from} is not on PATH` : `cannot run credential helper ${program}${from} (${e.code ?? e.message})`,
        ),
      );
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdoutBytes += d.length;
      if (stdoutBytes > MAX_HELPER_OUTPUT_BYTES) return finish(new CredentialHelperError(`${program}${from} printed more than ${MAX_HELPER_OUTPUT_BYTES} bytes`));
      stdout.push(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 512) stderr += d.toString('utf8');
    });
    // A helper that exits before reading its input gives EPIPE here; its exit status tells why.
    child.stdin!.on('error', () => {});
    child.stdin!.end(serverUrl + '\n');
    child.on('close', (code) => {
      const text = Buffer.concat(stdout).toString('utf8').trim();
      if (code !== 0) {
        if (/credentials not found/i.test(text) || /credentials not found/i.test(stderr)) return finish(null, null);
        // The helper's own words help, but only a first line: it is not ours to trust with a terminal.
        const said = firstLine(text || stderr);
        return finish(new CredentialHelperError(`${program}${from} failed (exit ${code ?? 'signal'})${said ? `: ${said}` : ''}`));
      }
      try {
        finish(null, parseHelperAnswer(text, program));
      } catch (e) {
        finish(e as Error);
      }
    });
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

/** The helper's JSON answer as credentials; never quotes the answer (it holds a secret). */
export function parseHelperAnswer(text: string, program: string): Credentials | null {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new CredentialHelperError(`${program} did not answer JSON`);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new CredentialHelperError(`${program} did not answer a JSON object`);
  const { Username: username, Secret: secret } = answer as Record<string, unknown>;
  if (typeof username !== 'string' || typeof secret !== 'string') throw new CredentialHelperError(`${program} answered without string Username and Secret`);
  if (username === IDENTITY_TOKEN_USER) {
    if (secret === '') throw new CredentialHelperError(`${program} answered an identity token (Username "<token>") with an empty Secret`);
    return { username: '', password: '', identityToken: secret };
  }
  if (username === '' && secret === '') return null;
  return { username, password: secret };
}
