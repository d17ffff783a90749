// The shared tier: entries in Redis, authenticated with HMAC-SHA256, so replicas answer
// from what another verified and write access to Redis alone cannot forge a fact.
//
// An entry is `v1 \n <expiresAt ms> \n <hex HMAC> \n <JSON>`; the MAC covers the full Redis
// key (namespace, kind, image key), the expiry and the JSON, so an entry can be neither
// altered, moved to another image nor extended. Redis also expires it (PX).
//
// Redis must never slow or break a request: every command has a short timeout (default
// 75 ms), nothing queues while disconnected, a timeout opens a breaker that skips Redis
// for a second, reads are bounded (GETRANGE), and every failure is a miss — counted, and
// visible in `status()` — while ioredis reconnects in the background.

import { Redis } from 'ioredis';
import type { CacheKey } from './cache-key.js';
import { type Clock, systemClock } from './clock.js';
import { type CacheMetrics, type EntryKind, noopMetrics, type RejectReason } from './metrics.js';

export const DEFAULT_REDIS_TIMEOUT_MS = 75;
export const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;
const DEFAULT_BREAKER_MS = 1000;
const FORMAT = 'v1';
const HEADER = /^v1\n(\d{1,16})\n([0-9a-f]{64})\n/;

export interface RedisTierOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  url: string;
  key: CacheKey;
  /**
   * Separates deployments sharing one Redis whose verification settings differ (PLC URL,
   * owner registries): part of every key and of the MAC.
   */
  namespace?: string;
  /** Per-command timeout in ms (default 75). */
  timeoutMs?: number;
  /** Largest entry read or written (default 256 KiB); larger ones are ignored. */
  maxEntryBytes?: number;
  /** After a timeout, Redis is skipped for this long (default 1000 ms). */
  breakerMs?: number;
  metrics?: CacheMetrics;
  clock?: Clock;
  /** State changes, for logs (the message never contains the URL's password). */
  onStateChange?: (status: RedisStatus) => void;
}

export type RedisState = 'connecting' | 'ready' | 'down' | 'closed';

export interface RedisStatus {
  state: RedisState;
  /** Connected and the last command did not fail: reads and writes go through. */
  healthy: boolean;
  /** The last error, without credentials. */
  lastError?: string;
  /** When `state` was entered (epoch ms). */
  since: number;
}

export interface RedisHit<T> {
  value: T;
  expiresAt: number;
}

/** `url` without its password, for logs and errors. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

export class RedisTier {
  private readonly client: Redis;
  private readonly metrics: CacheMetrics;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxEntryBytes: number;
  private readonly breakerMs: number;
  private readonly prefix: string;
  private state: RedisState = 'connecting';
  private since: number;
  private lastError: string | undefined;
  private commandFailed = false;
  private skipUntil = 0;

  constructor(private readonly opts: RedisTierOptions) {
    this.metrics = opts.metrics ?? noopMetrics;
    this.clock = opts.clock ?? systemClock;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.breakerMs = opts.breakerMs ?? DEFAULT_BREAKER_MS;
    const ns = opts.namespace ?? 'default';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(ns)) throw new RangeError('the Redis namespace must be 1-64 of A-Z a-z 0-9 . _ -');
    this.prefix = `atcr-verify:${FORMAT}:${ns}:`;
    this.since = Date.now();
    let parsed: URL;
    try {
      parsed = new URL(opts.url);
    } catch {
      throw new RangeError(`--redis ${redactRedisUrl(opts.url)} is not a URL (redis://host:port)`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new RangeError(`--redis ${redactRedisUrl(opts.url)}: only redis:// and rediss:// URLs`);
    this.client = new Redis(opts.url, {
      commandTimeout: this.timeoutMs,
      connectTimeout: Math.max(1000, this.timeoutMs * 10),
      // Disconnected: fail at once rather than queue behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Reconnect forever in the background, backing off to 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
      lazyConnect: false,
    });
    this.client.on('ready', () => {
      this.commandFailed = false;
      this.enter('ready');
    });
    this.client.on('error', (err: Error) => {
      this.metrics.redisError('connection');
      this.lastError = err.message;
      if (this.state !== 'closed') this.enter('down');
    });
    this.client.on('close', () => {
      if (this.state !== 'closed') this.enter('down');
    });
  }

  status(): RedisStatus {
    return {
      state: this.state,
      healthy: this.state === 'ready' && !this.commandFailed && this.clock.now() >= this.skipUntil,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      since: this.since,
    };
  }

  /**
   * The authenticated value under `key`, or undefined (miss, Redis unusable, or an entry
   * that is forged, malformed, oversized or expired — the last four counted). Never throws.
   */
  async get<T>(kind: EntryKind, key: string, revive: (value: unknown) => T | null): Promise<RedisHit<T> | undefined> {
    if (!this.usable()) return undefined;
    const rkey = this.prefix + kind + ':' + key;
    let raw: Buffer;
    try {
      // One byte past the bound tells an oversized entry from one that fits.
      raw = await this.client.getrangeBuffer(rkey, 0, this.maxEntryBytes);
      this.succeeded();
    } catch (err) {
      this.failed('get', err);
      return undefined;
    }
    if (raw.length === 0) {
      this.metrics.lookup('redis', kind, false);
      return undefined;
    }
    const hit = this.open(rkey, raw, revive);
    if ('reject' in hit) {
      this.metrics.rejected(hit.reject);
      this.metrics.lookup('redis', kind, false);
      return undefined;
    }
    this.metrics.lookup('redis', kind, true);
    return hit;
  }

  /** Writes `value` (JSON) until `expiresAt`. Resolves false when not written; never throws. */
  async set(kind: EntryKind, key: string, value: unknown, expiresAt: number): Promise<boolean> {
    const ttl = expiresAt - this.clock.now();
    if (ttl <= 0 || !this.usable()) return false;
    const rkey = this.prefix + kind + ':' + key;
    const entry = this.seal(rkey, JSON.stringify(value), expiresAt);
    if (Buffer.byteLength(entry) > this.maxEntryBytes) return false;
    try {
      await this.client.set(rkey, entry, 'PX', ttl);
      this.succeeded();
      this.metrics.stored('redis', kind);
      return true;
    } catch (err) {
      this.failed('set', err);
      return false;
    }
  }

  /** Closes the connection; later calls are misses. */
  async close(): Promise<void> {
    this.enter('closed');
    this.client.disconnect(false);
  }

  /** The entry format, for tests that play a forger. */
  seal(redisKey: string, json: string, expiresAt: number): string {
    const mac = this.opts.key.mac(macInput(redisKey, expiresAt, json)).toString('hex');
    return `${FORMAT}\n${expiresAt}\n${mac}\n${json}`;
  }

  /** The full Redis key of an entry (tests). */
  redisKey(kind: EntryKind, key: string): string {
    return this.prefix + kind + ':' + key;
  }

  private open<T>(rkey: string, raw: Buffer, revive: (value: unknown) => T | null): RedisHit<T> | { reject: RejectReason } {
    if (raw.length > this.maxEntryBytes) return { reject: 'oversize' };
    const text = raw.toString('utf8');
    const m = HEADER.exec(text);
    if (!m) return { reject: 'malformed' };
    const expiresAt = Number(m[1]);
    const json = text.slice(m[0].length);
    if (!this.opts.key.verify(macInput(rkey, expiresAt, json), Buffer.from(m[2]!, 'hex'))) return { reject: 'forged' };
    if (expiresAt <= this.clock.now()) return { reject: 'expired' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return { reject: 'malformed' };
    }
    const value = revive(parsed);
    return value === null ? { reject: 'malformed' } : { value, expiresAt };
  }

  private usable(): boolean {
    return this.state === 'ready' && this.clock.now() >= this.skipUntil;
  }

  private succeeded(): void {
    if (this.commandFailed) {
      this.commandFailed = false;
      this.opts.onStateChange?.(this.status());
      this.metrics.redisUp(true);
    }
  }

  private failed(op: 'get' | 'set', err: unknown): void {
    this.metrics.redisError(op);
    this.lastError = err instanceof Error ? err.message : String(err);
    if (/timed out/i.test(this.lastError)) this.skipUntil = this.clock.now() + this.breakerMs;
    if (!this.commandFailed) {
      this.commandFailed = true;
      this.metrics.redisUp(false);
      this.opts.onStateChange?.(this.status());
    }
  }

  private enter(state: RedisState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = Date.now();
    this.metrics.redisUp(state === 'ready');
    this.opts.onStateChange?.(this.status());
  }
}

// Length-prefixed so no choice of key can make two different entries share a MAC input.
function macInput(redisKey: string, expiresAt: number, json: string): string {
  return `atcr-verify cache ${FORMAT}\n${redisKey.length}:${redisKey}\n${expiresAt}\n${json}`;
}
