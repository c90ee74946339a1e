/** Sends a raw HTTP request in one write and reads the whole reply (the node closes the connection). */
import net from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(url: string, request: Buffer | string): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, 5000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(head[0]!.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
  });
}

/** A POST whose request line + headers take exactly `headerBytes` bytes (padded with an X-Pad header). */
export function postWithHeaderSize(body: string, headerBytes: number): string {
  const bodyLen = Buffer.byteLength(body, 'utf8');
  const base = `POST / HTTP/1.1\r\nHost: 127.0.0.1:8332\r\nContent-Type: application/json\r\nContent-Length: ${bodyLen}\r\n`;
  const padLen = headerBytes - Buffer.byteLength(base) - 'X-Pad: '.length - 4;
  if (padLen < 0) throw new Error('header size too small');
  return `${base}X-Pad: ${'p'.repeat(padLen)}\r\n\r\n${body}`;
}
