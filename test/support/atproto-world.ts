// A real ATProto world for tests and benchmarks: a PDS and a PLC directory in process
// (TestNetworkNoAppView), an OCI registry (in-process with referrers, or Debian's
// docker-registry), and helpers that sign images the way the spec describes: an
// `io.atcr.manifest` record in the signer's repository and a signature artifact in the
// registry. Knobs let a scenario make each of the nine checks fail for real.

import { randomBytes } from 'node:crypto';
import * as acrypto from '@atproto/crypto';
import { TestNetworkNoAppView } from '@atproto/dev-env';
import * as plc from '@did-plc/lib';
import { RegistryClient } from '../../src/kernel/oci/client.js';
import { addToFallbackIndex } from '../../src/kernel/oci/fallback-index.js';
import { MemoryRegistry } from './registry/memory-registry.js';
import { DockerRegistry } from './registry/docker-registry.js';
import { type Pushed, pushImage, pushSignatureArtifact, SIGNATURE_TYPE } from './registry/push.js';

type Agent = ReturnType<TestNetworkNoAppView['pds']['getClient']>;

export interface Signer {
  did: string;
  handle: string;
  agent: Agent;
}

export interface SignOptions {
  /** The record's `digest` (default: the image's). */
  recordDigest?: string;
  /** The record's `repository` (default: the image's repository). */
  recordRepository?: string;
  /** The payload's `subject.digest` (default: the image's). */
  payloadDigest?: string;
  /** The payload's `subject.repository` (default: this registry's host and the image's repository). */
  payloadRepository?: string;
  /** The record URI written into the payload (default: the record created). */
  recordUri?: string;
  /** Replace the payload blob's stored bytes after pushing, so they no longer match its digest. */
  corruptPayloadBlob?: boolean;
}

export interface Signed {
  recordUri: string;
  rkey: string;
  artifact: Pushed;
  payload: Record<string, unknown>;
}

export interface ImageHandle {
  repo: string;
  tag: string;
  pushed: Pushed;
  /** `host/repo:tag`. */
  ref: string;
}

export class AtprotoWorld {
  private count = 0;

  private constructor(
    readonly net: TestNetworkNoAppView,
    readonly registry: MemoryRegistry | DockerRegistry,
  ) {}

  static async start(opts: { dockerRegistry?: boolean; ipv6Registry?: boolean } = {}): Promise<AtprotoWorld> {
    const net = await TestNetworkNoAppView.create({});
    const registry = opts.dockerRegistry
      ? await new DockerRegistry().start()
      : await new MemoryRegistry(opts.ipv6Registry ? { address: '::1' } : {}).start();
    return new AtprotoWorld(net, registry);
  }

  get plcUrl(): string {
    return this.net.plc.url;
  }

  get pdsUrl(): string {
    return this.net.pds.url;
  }

  get registryHost(): string {
    return this.registry.host;
  }

  async stop(): Promise<void> {
    await this.registry.stop();
    await this.net.close();
  }

  async account(name?: string): Promise<Signer> {
    const short = name ?? `u${++this.count}${randomBytes(3).toString('hex')}`;
    const handle = `${short}.test`;
    const agent = this.net.pds.getClient();
    const res = await agent.createAccount({ email: `${short}@test.invalid`, handle, password: 'password' });
    return { did: res.data.did, handle, agent };
  }

  async image(repo: string, tag = 'latest'): Promise<ImageHandle> {
    const pushed = await pushImage(this.registryHost, repo, tag);
    return { repo, tag, pushed, ref: `${this.registryHost}/${repo}:${tag}` };
  }

  /** Writes the record to the signer's PDS and pushes the signature artifact for it. */
  async sign(signer: Signer, image: ImageHandle, opts: SignOptions = {}): Promise<Signed> {
    const record = {
      $type: 'io.atcr.manifest',
      repository: opts.recordRepository ?? image.repo,
      digest: opts.recordDigest ?? image.pushed.digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      schemaVersion: 2,
      createdAt: new Date().toISOString(),
    };
    const created = await signer.agent.com.atproto.repo.createRecord({
      repo: signer.did,
      collection: 'io.atcr.manifest',
      record,
      validate: false,
    });
    const recordUri = opts.recordUri ?? created.data.uri;
    const payload = {
      $type: 'io.atcr.signature',
      version: 1,
      subject: {
        digest: opts.payloadDigest ?? image.pushed.digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        repository: opts.payloadRepository ?? `${this.registryHost}/${image.repo}`,
      },
      atproto: {
        did: signer.did,
        handle: signer.handle,
        pds: this.pdsUrl,
        record: { uri: recordUri, cid: created.data.cid },
        commit: created.data.commit ?? undefined,
      },
      signature: { algorithm: 'ES256K', keyId: `${signer.did}#atproto` },
      signedAt: record.createdAt,
    };
    const artifact = await pushSignatureArtifact(this.registryHost, image.repo, image.pushed, payload, {
      annotations: { 'io.atcr.signature.did': signer.did, 'org.opencontainers.image.created': record.createdAt },
    });
    if (this.registry instanceof DockerRegistry) {
      // No referrers API there: signers maintain the sha256-<hex> tag index themselves.
      const client = new RegistryClient(this.registryHost, image.repo, { credentials: null });
      await addToFallbackIndex(
        client,
        image.pushed.digest,
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: artifact.digest,
          size: artifact.size,
          artifactType: SIGNATURE_TYPE,
          annotations: { 'io.atcr.signature.did': signer.did },
        },
        { confirmations: 1, jitterMs: 5 },
      );
    }
    if (opts.corruptPayloadBlob) {
      if (!(this.registry instanceof MemoryRegistry)) throw new Error('corrupting blobs needs the in-process registry');
      const manifest = JSON.parse(new TextDecoder().decode(artifact.bytes)) as { layers: { digest: string }[] };
      const stored = this.registry.blobs.get(manifest.layers[0]!.digest)!;
      const bad = Buffer.from(stored);
      bad[bad.length - 2] = bad[bad.length - 2]! ^ 1;
      this.registry.blobs.set(manifest.layers[0]!.digest, bad);
    }
    return { recordUri, rkey: created.data.uri.split('/').pop()!, artifact, payload };
  }

  /** The signer deletes the record: its signature is revoked. */
  async revoke(signer: Signer, signed: Signed): Promise<void> {
    await signer.agent.com.atproto.repo.deleteRecord({ repo: signer.did, collection: 'io.atcr.manifest', rkey: signed.rkey });
  }

  /** A PLC operation (signed with the PDS's rotation key) that changes the DID document. */
  private async plcUpdate(did: string, change: (op: plc.UnsignedOperation) => plc.UnsignedOperation): Promise<void> {
    const client = this.net.plc.getClient();
    const last = await client.getLastOp(did);
    if (last.type === 'plc_tombstone') throw new Error(`${did} is tombstoned`);
    const signer = this.net.pds.ctx.plcRotationKey as unknown as Parameters<typeof plc.createUpdateOp>[1];
    const op = await plc.createUpdateOp(last, signer, (normal) => change(normal));
    await client.sendOperation(did, op);
  }

  /** The DID document's #atproto key becomes a fresh key the PDS does not hold. */
  async rotateAtprotoKey(signer: Signer): Promise<string> {
    const key = await acrypto.Secp256k1Keypair.create();
    await this.plcUpdate(signer.did, (op) => ({ ...op, verificationMethods: { ...op.verificationMethods, atproto: key.did() } }));
    return key.did();
  }

  /** The DID document's #atproto_pds service points elsewhere. */
  async movePds(signer: Signer, endpoint: string): Promise<void> {
    await this.plcUpdate(signer.did, (op) => ({
      ...op,
      services: { ...op.services, atproto_pds: { type: 'AtprotoPersonalDataServer', endpoint } },
    }));
  }
}

export { SIGNATURE_TYPE };
