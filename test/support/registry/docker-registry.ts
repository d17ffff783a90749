// Starts Debian's real `docker-registry` (distribution 2.8) on 127.0.0.1 with an
// ephemeral port and a throw-away storage directory. It has no referrers API, so it is
// the real-world case for the tag-schema fallback.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOCKER_REGISTRY_BIN = process.env.ATCR_DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface DockerRegistryOptions {
  /** Lines of an htpasswd file (`user:bcrypt-hash`): the registry then demands Basic auth. */
  htpasswd?: string[];
}

/**
 * A fixed htpasswd line for tests (user `ci-bot`, password `s3cret-pw`, bcrypt cost 5):
 * computed once, since the distribution reads only bcrypt and no bcrypt tool is installed.
 */
export const TEST_HTPASSWD = { username: 'ci-bot', password: 's3cret-pw', line: 'ci-bot:$2b$05$abcdefghijklmnopqrstuuzSvhclVSvY9ufOheOOhcPviTPFJlqIC' };

export class DockerRegistry {
  constructor(private readonly options: DockerRegistryOptions = {}) {}
  private child: ChildProcess | undefined;
  private dir = '';
  host = '';
  private stderr = '';

  async start(): Promise<this> {
    if (!existsSync(DOCKER_REGISTRY_BIN)) {
      throw new Error(`${DOCKER_REGISTRY_BIN} is missing: apt-get install docker-registry`);
    }
    this.dir = mkdtempSync(join(tmpdir(), 'atcr-registry-'));
    // The port is chosen free and then handed to the registry; a lost race is retried.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const config = join(this.dir, 'config.yml');
      const auth: string[] = [];
      if (this.options.htpasswd) {
        const file = join(this.dir, 'htpasswd');
        writeFileSync(file, this.options.htpasswd.join('\n') + '\n');
        auth.push('auth:', '  htpasswd:', '    realm: atcr-test', `    path: ${file}`);
      }
      writeFileSync(
        config,
        [
          'version: 0.1',
          'log:',
          '  level: error',
          '  accesslog:',
          '    disabled: true',
          'storage:',
          '  filesystem:',
          `    rootdirectory: ${join(this.dir, 'data')}`,
          '  delete:',
          '    enabled: true',
          'http:',
          `  addr: 127.0.0.1:${port}`,
          ...auth,
          '',
        ].join('\n'),
      );
      this.child = spawn(DOCKER_REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      // A test run that dies without afterAll must not leave the registry behind.
      const child = this.child;
      const reap = () => child.kill('SIGKILL');
      process.once('exit', reap);
      child.once('exit', () => process.removeListener('exit', reap));
      this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
      this.host = `127.0.0.1:${port}`;
      if (await this.ready()) return this;
      await this.kill();
    }
    throw new Error(`docker-registry did not start: ${this.stderr.slice(-2000)}`);
  }

  private async ready(): Promise<boolean> {
    for (let i = 0; i < 100; i++) {
      if (this.child?.exitCode !== null) return false;
      try {
        const res = await fetch(`http://${this.host}/v2/`);
        if (res.status === 200 || (this.options.htpasswd && res.status === 401)) return true;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  private async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
