// JSON input errors: the position of the first bad character, also where V8's message on
// Node 20 has none, agreeing with V8 where it gives one.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jsonErrorOffset, MAX_INPUT_BYTES, parseJsonInput, readInputBytes } from '../../src/cli/io.js';
import { CliError } from '../../src/cli/errors.js';

describe('jsonErrorOffset', () => {
  it('points at the first character that is not JSON', () => {
    expect(jsonErrorOffset('{"a": x}')).toBe(6);
    expect(jsonErrorOffset('[1,2,]')).toBe(5);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('{"image": ')).toBe(10);
    expect(jsonErrorOffset('')).toBe(0);
    expect(jsonErrorOffset('[1] 2')).toBe(4);
    expect(jsonErrorOffset('{"a":"\u0001"}')).toBe(6);
    expect(jsonErrorOffset('{"a": 1}')).toBeNull();
    expect(jsonErrorOffset(' [1, {"b": [true, false, null, -0.5e3, "\\u00e9\\n"]}] ')).toBeNull();
    // At any depth, and in UTF-16 units past non-ASCII text.
    expect(jsonErrorOffset('['.repeat(100_000))).toBe(100_000);
    expect(jsonErrorOffset('["é😀", x]')).toBe(8);
    // In an escape, where V8 puts it: the first character that is not a hex digit after \u.
    expect(jsonErrorOffset('"\\ull"')).toBe(3);
    expect(jsonErrorOffset('"\\u12x4"')).toBe(5);
    expect(jsonErrorOffset('"\\u"')).toBe(3);
    expect(jsonErrorOffset('"\\x"')).toBe(2);
  });

  it('is null exactly for text JSON.parse accepts, and agrees with V8 where V8 names a position', () => {
    const mutated = fc
      .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', ',', ']', '}', '"', 'x', ':', '\\', '\u0001', ' ', 'tru'), fc.nat({ max: 3 }))
      .map(([json, at, ins, del]) => {
        const k = json.length === 0 ? 0 : at % (json.length + 1);
        return json.slice(0, k) + ins + json.slice(k + del);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        let v8: number | null | 'ok' = 'ok';
        try {
          JSON.parse(text);
        } catch (e) {
          const m = /position (\d+)/.exec((e as Error).message);
          v8 = m ? Number(m[1]) : null;
        }
        const ours = jsonErrorOffset(text);
        if (v8 === 'ok') expect(ours).toBeNull();
        else {
          expect(ours).not.toBeNull();
          expect(ours!).toBeLessThanOrEqual(text.length);
          if (v8 !== null) expect(ours).toBe(v8);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parseJsonInput names the file, line and column', () => {
    expect(() => parseJsonInput('{\n  "a": 1,\n  "b" 2\n}', 'in.json')).toThrow(/^in\.json:3:7: invalid JSON/);
    expect(() => parseJsonInput('[\n  x\n]', 'in.json')).toThrow(/^in\.json:2:3: invalid JSON \(Unexpected token 'x'\)$/);
  });
});

describe('readInputBytes', () => {
  it('refuses a file over the limit before reading it, naming it (exit 2); reads one at the limit', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atcr-io-'));
    const file = path.join(dir, 'in.json');
    writeFileSync(file, '[1,2,3]');
    await expect(readInputBytes(file, 'input file', 6)).rejects.toSatisfy(
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message === `input file ${file} is larger than 6 bytes; split it`,
    );
    expect((await readInputBytes(file, 'input file', 7)).toString()).toBe('[1,2,3]');
    expect(MAX_INPUT_BYTES).toBe(500 * 2 ** 20);
  });

  it('stops reading a file that is not a regular one (a device, a pipe) past the limit', async () => {
    // /dev/zero never ends: only the limit ends the read.
    await expect(readInputBytes('/dev/zero', 'input file', 2 ** 20)).rejects.toSatisfy(
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && /\/dev\/zero is larger than 1 MiB/.test(e.message),
    );
  });
});
