// Images found in Kubernetes manifests: the objects and fields the compiled Gatekeeper
// template reads (Pods, workload templates, CronJobs; all three container lists).

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { imagesOf, WORKLOAD_KINDS } from '../../src/manifests/images.js';
import { checkManifests, distinctImages, manifestDiagnostics, type ImageOutcome } from '../../src/manifests/plan.js';
import { ManifestError, parseManifests } from '../../src/manifests/read.js';

const podSpec = (images: string[]) => ({ containers: images.map((image, i) => ({ name: `c${i}`, image })) });

describe('imagesOf', () => {
  it('reads Pods, workload templates and CronJob job templates', () => {
    expect(imagesOf({ kind: 'Pod', spec: podSpec(['a:1']) })).toEqual([{ image: 'a:1', path: 'spec.containers[0].image' }]);
    for (const kind of WORKLOAD_KINDS) {
      expect(imagesOf({ kind, spec: { template: { spec: podSpec(['b:1']) } } })).toEqual([
        { image: 'b:1', path: 'spec.template.spec.containers[0].image' },
      ]);
    }
    expect(imagesOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: podSpec(['c:1']) } } } } })).toEqual([
      { image: 'c:1', path: 'spec.jobTemplate.spec.template.spec.containers[0].image' },
    ]);
  });

  it('reads init and ephemeral containers, and ignores non-string images and other kinds', () => {
    const spec = {
      initContainers: [{ image: 'init:1' }],
      containers: [{ image: 'main:1' }, { image: 42 }, { name: 'no-image' }],
      ephemeralContainers: [{ image: 'debug:1' }],
    };
    expect(imagesOf({ kind: 'Pod', spec }).map((i) => i.image)).toEqual(['main:1', 'init:1', 'debug:1']);
    expect(imagesOf({ kind: 'ConfigMap', data: { image: 'x' } })).toEqual([]);
    expect(imagesOf({ kind: 'Deployment', spec: { template: null } })).toEqual([]);
  });

  it('never throws on arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('Pod', 'Deployment', 'CronJob', 'Job', 'Service'), (spec, kind) => {
        const found = imagesOf({ kind, spec });
        expect(found.every((f) => typeof f.image === 'string')).toBe(true);
      }),
    );
  });
});

describe('parseManifests', () => {
  it('reads a multi-document stream, List wrappers and empty documents, with lines', () => {
    const text = [
      '---',
      '# Source: chart/templates/deploy.yaml',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web, namespace: prod }',
      'spec: { template: { spec: { containers: [ { name: w, image: "atcr.io/acme/web:1" } ] } } }',
      '---',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - { kind: Pod, metadata: { name: p }, spec: { containers: [ { image: "atcr.io/acme/p:1" } ] } }',
      '',
    ].join('\n');
    const objects = parseManifests(text, 'out.yaml');
    expect(objects.map((o) => [o.kind, o.namespace, o.name, o.source])).toEqual([
      ['Deployment', 'prod', 'web', 'out.yaml:3'],
      ['Pod', '', 'p', 'out.yaml:9 (items[0])'],
    ]);
    expect(distinctImages(objects)).toEqual(['atcr.io/acme/web:1', 'atcr.io/acme/p:1']);
  });

  it('names the file and line of invalid YAML', () => {
    expect(() => parseManifests('kind: Pod\nspec: [unclosed\n', 'bad.yaml')).toThrow(ManifestError);
    expect(() => parseManifests('kind: Pod\nspec: [unclosed\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+: not valid YAML/);
  });

  it('stops an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`), 'kind: Pod'].join('\n');
    expect(() => parseManifests(bomb, 'bomb.yaml')).toThrow(/bomb\.yaml:\d+: .*alias/i);
  });

  it('the shipped example manifests parse', () => {
    const text = readFileSync(new URL('../../examples/manifests/app.yaml', import.meta.url), 'utf8');
    expect(parseManifests(text, 'app.yaml').length).toBeGreaterThan(0);
  });
});

describe('checkManifests', () => {
  const outcome = (verified: boolean, undecided = false, code = 'untrusted-did'): ImageOutcome => ({
    verified,
    undecided,
    reason: verified ? 'allowed' : undecided ? 'the PDS could not be reached' : `${code}: not signed by a trusted DID`,
    codes: verified || undecided ? [] : [code],
    detail: null,
  });

  it('verifies each distinct image once and reports per object', async () => {
    const text = [
      'kind: Pod\nmetadata: {name: a}\nspec: {containers: [{image: good:1}, {image: bad:1}]}',
      'kind: Pod\nmetadata: {name: b}\nspec: {containers: [{image: good:1}]}',
    ].join('\n---\n');
    const calls: string[] = [];
    const report = await checkManifests(parseManifests(text, 'm.yaml'), async (image) => {
      calls.push(image);
      return outcome(image === 'good:1');
    });
    expect(calls.sort()).toEqual(['bad:1', 'good:1']);
    expect(report.exitCode).toBe(1);
    expect(report.objects.map((o) => [o.name, o.images.map((i) => i.verified)])).toEqual([
      ['a', [true, false]],
      ['b', [true]],
    ]);
    expect(manifestDiagnostics(report)).toEqual([
      expect.objectContaining({ file: 'm.yaml', line: 1, rule: 'untrusted-did', message: expect.stringContaining('Pod a: spec.containers[1].image bad:1') }),
    ]);
  });

  it('exit 3 when the only failures are undecided, 1 when any is a definite negative', async () => {
    const objects = parseManifests('kind: Pod\nspec: {containers: [{image: x:1}, {image: y:1}]}\n', 'm.yaml');
    expect((await checkManifests(objects, async (i) => outcome(i === 'x:1', i === 'y:1'))).exitCode).toBe(3);
    expect((await checkManifests(objects, async (i) => outcome(false, i === 'y:1'))).exitCode).toBe(1);
    expect((await checkManifests(objects, async () => outcome(true))).exitCode).toBe(0);
  });
});
