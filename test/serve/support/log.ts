// Service logs in tests: kept in memory (so a test can read them), never on the console.

import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export function silentLogger(lines: string[] = []): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}
