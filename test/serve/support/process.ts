// `atcr-verify serve` as a separate process, as operators run it: the built CLI, its
// JSON log lines collected, its URL read from the `listening` line.

import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from '../../integration/cli.js';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export async function startServe(args: string[]): Promise<ServeProcess> {
  const env = { ...process.env };
  delete env.ATCR_PLC_URL;
  delete env.ATCR_OWNER_REGISTRIES;
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${lines.join('\n')}${err}`)), 30_000);
    child.stdout!.setEncoding('utf8');
    let buf = '';
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        try {
          const o = JSON.parse(line) as { event?: string; url?: string };
          if (o.event === 'listening' && o.url) {
            clearTimeout(timer);
            resolve(o.url);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${err}`));
    });
  });
  return {
    child,
    url,
    lines,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The value of one Prometheus sample in a /metrics text (0 when absent). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_:]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries((m[3] ?? '').split(',').filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), JSON.parse(kv.slice(i + 1)) as string];
    }));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return 0;
}

/** `fn`'s first defined answer, asked every 200 ms (an error counts as not yet), or an Error naming `what`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting: ${what}`);
}
