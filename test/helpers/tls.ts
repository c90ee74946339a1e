/** Self-signed certificates made with Debian's openssl, and a line-based TLS Stratum client. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connect, type TLSSocket } from 'node:tls';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

/** A fresh EC key and a self-signed certificate for 127.0.0.1, written under `dir` as `<name>.crt`/`<name>.key`. */
export function makeCertificate(dir: string, name: string): TestCertificate {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
      ...['-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  return { certFile, keyFile, cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

/** A TLS Stratum client that trusts exactly `ca` and collects JSON lines. */
export class TlsLineClient {
  readonly received: Record<string, unknown>[] = [];
  private buffer = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: TLSSocket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.received.push(JSON.parse(this.buffer.slice(0, nl)) as Record<string, unknown>);
        this.buffer = this.buffer.slice(nl + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(port: number, ca: Buffer, timeoutMs = 10_000): Promise<TlsLineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca, timeout: timeoutMs }, () => resolve(new TlsLineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** CN of the certificate the server presented. */
  peerName(): string {
    return String(this.socket.getPeerCertificate().subject.CN);
  }

  async call(id: number, method: string, params: unknown[], timeoutMs = 10_000): Promise<Record<string, unknown>> {
    this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    return this.waitFor((m) => m.id === id && m.method === undefined, timeoutMs);
  }

  async waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(pred);
      if (found !== undefined) return found;
      if (this.closed || Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(this.received).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
