// What the plain-HTTP and the HTTPS agents share (http.ts, tls-agents.ts). Kept-alive
// connections are pooled separately by policy: a socket in the public pool was opened
// through the checking lookup, so reusing it never skips the address check, and a socket
// opened without the check can never serve a request that needs it.

import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './address.js';
import { NetError } from './errors.js';

export const POOL = { keepAlive: true, maxSockets: 16, maxFreeSockets: 8, scheduling: 'lifo' as const };

/** A DNS lookup that fails when any resolved address is non-public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) {
      const e = new NetError('private-address', `${hostname} resolves to non-public address ${bad?.address ?? '(none)'}`, hostname);
      return callback(e as unknown as NodeJS.ErrnoException, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};
