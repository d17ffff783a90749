// `atcr-verify IMAGE …` is `atcr-verify verify IMAGE …`, whether verify's flags come
// before or after the image (cli.md), using the committed offline example.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli } from './run.js';

const image = readFileSync('examples/image.txt', 'utf8').trim();
const { createdAt } = JSON.parse(readFileSync('examples/bundle.json', 'utf8')) as { createdAt: string };

beforeAll(assertBuilt);

describe('the verify shorthand', () => {
  it.each([
    ['image first', [image, '--offline', '--bundle', 'examples/bundle.json', '--output', 'json', '--now', createdAt]],
    ['flags first', ['--offline', '--bundle', 'examples/bundle.json', '--output', 'json', '--now', createdAt, image]],
    ['after --debug', ['--debug', '--offline', '--bundle', 'examples/bundle.json', '--output', 'json', '--now', createdAt, image]],
  ])('%s verifies like `verify`', async (_, args) => {
    const short = await cli(args);
    const long = await cli(['verify', ...args.filter((a) => a !== '--debug')]);
    expect(short.code).toBe(0);
    expect(short.code).toBe(long.code);
    const a = JSON.parse(short.stdout) as { verified: boolean; digest: string; signatures: unknown[] };
    const b = JSON.parse(long.stdout) as typeof a;
    expect(a.verified).toBe(true);
    expect([a.digest, a.signatures]).toEqual([b.digest, b.signatures]);
  });

  it('an unknown flag is still a usage error', async () => {
    const r = await cli(['--no-such-flag', image]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--no-such-flag'/);
  });
});

describe('verify --now', () => {
  it.each(['2026-11-25t12:00:00z', '1600-01-01T00:00:00Z', '2026-11-25T12:00:00.1234567891Z'])(
    'refuses %s, a time the engines cannot read, as a usage error before deciding anything',
    async (now) => {
      const r = await cli(['verify', image, '--offline', '--bundle', 'examples/bundle.json', '--policy', 'examples/policy.yaml', '--now', now]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/--now .* is not an RFC 3339 time/);
    },
  );
});
