// The serve suite's load generator, as a process of its own: autocannon in the bench's
// process would share its event loop (and a core) with the bench's world (PDS, PLC,
// registry), so what it measured would depend on them. One job per run, given as JSON
// in argv; the result is one JSON line on stdout.

import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  body: string;
  /** The service's CA (PEM) and the client certificate files (mTLS). */
  ca: string;
  cert: string;
  key: string;
  connections: number;
  seconds: number;
  /** Every answer must be exactly this body (counted as mismatches otherwise). */
  expected?: string;
}

export interface LoadResult {
  total: number;
  /** Requests per second, averaged over the run's seconds. */
  average: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as LoadJob;
  const r = await autocannon({
    url: job.url,
    method: 'POST',
    body: job.body,
    headers: { 'content-type': 'application/json' },
    connections: job.connections,
    pipelining: 1,
    duration: job.seconds,
    tlsOptions: { ca: job.ca, cert: readFileSync(job.cert), key: readFileSync(job.key) },
    ...(job.expected !== undefined ? { verifyBody: (b: string) => b === job.expected } : {}),
  });
  const out: LoadResult = {
    total: r.requests.total,
    average: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    mismatches: r.mismatches,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
