// The one error type of the network layer. Callers branch on `code`, never on text.

export type NetErrorCode = 'timeout' | 'too-large' | 'private-address' | 'connect' | 'http-scheme' | 'tls' | 'aborted';

export class NetError extends Error {
  constructor(
    readonly code: NetErrorCode,
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetError';
  }
}
