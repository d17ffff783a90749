// Prometheus metrics of one service instance (its own registry, not prom-client's global
// one: tests run several instances in one process). The counts taken per request and per
// image go through tallies (tally.ts), added to their counters at each scrape.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Tally, type TallySlot } from './tally.js';

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly requestTally = new Tally(['endpoint', 'status'] as const);
  private readonly imageTally = new Tally(['signed'] as const);
  private readonly answerTally = new Tally(['source'] as const);
  private readonly signedSlot: TallySlot = this.imageTally.slot({ signed: 'true' });
  private readonly unsignedSlot: TallySlot = this.imageTally.slot({ signed: 'false' });
  /** Frozen label sets of the latency histogram, one per endpoint. */
  private readonly latencyLabels = new Map<string, { endpoint: string }>();
  readonly requests: Counter<'endpoint' | 'status'> = new Counter({
    name: 'atcr_verify_requests_total',
    help: 'HTTP requests by endpoint and status',
    labelNames: ['endpoint', 'status'],
    registers: [this.registry],
    collect: (): void => this.requestTally.flush(this.requests),
  });
  readonly latency = new Histogram({
    name: 'atcr_verify_request_duration_seconds',
    help: 'HTTP request latency by endpoint',
    labelNames: ['endpoint'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'atcr_verify_verifications_total',
    help: 'verifications run (cache misses), by outcome: verified, not-verified, or the error code / discovery failure',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly signatures = new Counter({ name: 'atcr_verify_signatures_total', help: 'signature facts produced, by result (valid or the error code)', labelNames: ['result'], registers: [this.registry] });
  readonly verificationLatency = new Histogram({
    name: 'atcr_verify_verification_duration_seconds',
    help: 'time of one image verification',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly waiting = new Gauge({ name: 'atcr_verify_lookups_in_flight', help: 'image lookups answering now (cached or verifying; verifications_in_flight counts the verifications)', registers: [this.registry] });
  readonly imagesSeen: Counter<'signed'> = new Counter({
    name: 'atcr_verify_images_total',
    help: 'images answered, by whether they carry a valid signature (coverage = signed / all)',
    labelNames: ['signed'],
    registers: [this.registry],
    collect: (): void => this.imageTally.flush(this.imagesSeen),
  });
  readonly decisions = new Counter({ name: 'atcr_verify_decisions_total', help: "decisions of the service's policy (/v1/verify), by policy and effect", labelNames: ['policy', 'effect'], registers: [this.registry] });
  readonly answers: Counter<'source'> = new Counter({
    name: 'atcr_verify_fact_answers_total',
    help: 'facts answered, by where they came from (memory, redis, verified, joined)',
    labelNames: ['source'],
    registers: [this.registry],
    collect: (): void => this.answerTally.flush(this.answers),
  });
  readonly upstream = new Histogram({
    name: 'atcr_verify_upstream_duration_seconds',
    help: 'outgoing HTTP requests (registry, PDS, PLC) by host and outcome',
    labelNames: ['host', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly policyReloads = new Counter({ name: 'atcr_verify_policy_reloads_total', help: 'policy loads by result (ok, failed)', labelNames: ['result'], registers: [this.registry] });
  readonly policyStale = new Gauge({ name: 'atcr_verify_policy_stale', help: '1 while the policy file on disk does not compile and the previous policy is in force', registers: [this.registry] });
  readonly policyInfo = new Gauge({ name: 'atcr_verify_policy_info', help: 'the policy in force (value 1)', labelNames: ['sha256'], registers: [this.registry] });
  readonly tlsReloads = new Counter({ name: 'atcr_verify_tls_reloads_total', help: 'certificate reloads by result', labelNames: ['result'], registers: [this.registry] });
  readonly clientRefused = new Counter({ name: 'atcr_verify_tls_clients_refused_total', help: 'TLS clients refused (no, untrusted or wrongly named certificate)', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** One answered request: its count and its latency. */
  request(endpoint: string, status: number, seconds: number): void {
    this.requestTally.slot({ endpoint, status: String(status) }).n++;
    let labels = this.latencyLabels.get(endpoint);
    if (!labels) {
      labels = Object.freeze({ endpoint });
      this.latencyLabels.set(endpoint, labels);
    }
    this.latency.observe(labels, seconds);
  }

  /** One image answered, by whether it carries a valid signature (the coverage signal). */
  image(signed: boolean): void {
    (signed ? this.signedSlot : this.unsignedSlot).n++;
  }

  /** `n` facts answered from `source` (memory, redis, verified, joined). */
  answered(source: string, n = 1): void {
    this.answerTally.slot({ source }).n += n;
  }
}
