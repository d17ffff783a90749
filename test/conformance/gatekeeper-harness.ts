// Drives tools/gatekeeper-harness (Gatekeeper's constraint framework in a Go process of
// ours): one process, JSON lines in and out, any number of setups and reviews.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { localToolPath } from '../support/tools.js';

export const HARNESS_DIR = 'tools/gatekeeper-harness';

export interface HarnessSetup {
  templates: string[];
  constraints: string[];
  providers: string[];
  /** Assign mutations, run by Gatekeeper's mutation system on `mutate` (needs clientCert, as in Gatekeeper). */
  mutators?: string[];
  clientCert?: { certFile: string; keyFile: string };
  /** 0 disables Gatekeeper's provider response cache; Gatekeeper's default is 180. */
  responseCacheTTLSeconds?: number;
}

export interface ReviewObject {
  object: unknown;
  /** What time.now_ns() reads while this object is reviewed (RFC 3339); the real clock if absent. */
  now?: string;
  namespace?: string;
}

export interface GatekeeperViolation {
  constraint: string;
  enforcementAction: string;
  msg: string;
  details?: any;
}

export interface MutateResult {
  /** Whether any mutator changed the object. */
  mutated?: boolean;
  /** The object as the mutating webhook's patch leaves it. */
  object?: any;
  error?: string;
}

export interface ReviewResult {
  violations?: GatekeeperViolation[];
  error?: string;
}

export class GatekeeperHarness {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';
  private exited: string | null = null;

  constructor() {
    this.child = spawn(localToolPath(HARNESS_DIR), [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = `gatekeeper-harness exited (${code ?? signal}): ${this.stderr}`;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  private call(request: unknown): Promise<any> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve) => {
      this.waiting.push((line) => resolve(JSON.parse(line)));
      this.child.stdin.write(JSON.stringify(request) + '\n');
    });
  }

  async setup(s: HarnessSetup): Promise<void> {
    const answer = await this.call({ op: 'setup', ...s });
    if (answer.error) throw new Error(`gatekeeper-harness: ${answer.error}`);
  }

  async review(objects: ReviewObject[]): Promise<ReviewResult[]> {
    const answer = await this.call({ op: 'review', objects });
    if (answer.error) throw new Error(`gatekeeper-harness: ${answer.error}`);
    return answer.results as ReviewResult[];
  }

  /** Gatekeeper's mutating webhook on each object (CREATE): the mutated object or the error that rejects it. */
  async mutate(objects: Omit<ReviewObject, 'now'>[]): Promise<MutateResult[]> {
    const answer = await this.call({ op: 'mutate', objects });
    if (answer.error) throw new Error(`gatekeeper-harness: ${answer.error}`);
    return answer.results as MutateResult[];
  }

  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

/** A Pod, Deployment or CronJob running `images` (the first as a container, the rest as init containers). */
export function workload(kind: 'Pod' | 'Deployment' | 'CronJob', images: string[], name = 'app'): Record<string, unknown> {
  const [first, ...rest] = images;
  const podSpec = {
    containers: first === undefined ? [] : [{ name: 'c0', image: first }],
    ...(rest.length > 0 ? { initContainers: rest.map((image, i) => ({ name: `i${i}`, image })) } : {}),
  };
  const metadata = { name, namespace: 'default' };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec: podSpec };
  const template = { metadata: { labels: { app: name } }, spec: podSpec };
  if (kind === 'Deployment') return { apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: { app: name } }, template } };
  return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } } } } } };
}
