// A DNS server on loopback UDP for handle lookups (`_atproto.<handle>` TXT records), as
// the kernel's DNS resolver sees one: what tests point ATCR_DNS_SERVERS or dnsServers at.

import dgram from 'node:dgram';

/** A DNS server on loopback UDP answering TXT queries from a table (NXDOMAIN otherwise). */
export async function txtServer(records: Map<string, string[]>): Promise<{ server: string; close: () => void }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, rinfo) => {
    let pos = 12;
    const labels: string[] = [];
    while (q[pos]! > 0) {
      labels.push(q.subarray(pos + 1, pos + 1 + q[pos]!).toString('latin1'));
      pos += q[pos]! + 1;
    }
    const question = q.subarray(12, pos + 5);
    const answers = records.get(labels.join('.').toLowerCase()) ?? [];
    const header = Buffer.alloc(12);
    q.copy(header, 0, 0, 2);
    header.writeUInt16BE(answers.length ? 0x8180 : 0x8183, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((text) => {
      const data = Buffer.concat([Buffer.from([text.length]), Buffer.from(text)]);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(16, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    sock.send(Buffer.concat([header, question, ...rrs]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { server: `127.0.0.1:${sock.address().port}`, close: () => sock.close() };
}
