/**
 * A fake GXC node for replay tests: answers each request with a scripted transcript response (the id echoed),
 * in the node's own byte format, with Connection: close; records every request body for assertions.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dumpNlohmann, type NJson } from '../../../../src/devnet/gxc/nlohmann-json.js';
import { transcriptExact } from './transcript.js';

export interface RecordedRequest {
  raw: string;
  bytes: number;
  json: { jsonrpc?: unknown; id?: unknown; method?: string; params?: unknown };
}

type Answer = { method: string; response: NJson };

export class ReplayNode {
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  private readonly script: Answer[] = [];
  private server!: http.Server;
  url = '';

  /** Queue the recorded answer of exchange `index`, expected for a request to `method`. */
  answer(method: string, index: number): this {
    const e = transcriptExact.exchanges[index];
    if (!e) throw new Error(`no exchange ${index}`);
    this.script.push({ method, response: e.response });
    return this;
  }

  /** Queue a custom answer (for cases the transcript lacks, e.g. a method-not-found on an alias). */
  answerWith(method: string, response: NJson): this {
    this.script.push({ method, response });
    return this;
  }

  get pending(): number {
    return this.script.length;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: RecordedRequest['json'] = {};
        try {
          json = JSON.parse(raw) as RecordedRequest['json'];
        } catch {
          this.problems.push(`unparseable request ${raw.slice(0, 80)}`);
        }
        this.requests.push({ raw, bytes: Buffer.byteLength(raw), json });
        const next = this.script.shift();
        let body: string;
        if (!next) {
          this.problems.push(`unexpected request ${json.method}`);
          body = dumpNlohmann({ error: { code: -32601, message: `Method not found: ${String(json.method)}` }, id: null, jsonrpc: '2.0' });
        } else {
          if (next.method !== json.method) this.problems.push(`expected ${next.method}, got ${json.method}`);
          const reply = { ...(next.response as { [key: string]: NJson }), id: (json.id ?? null) as NJson };
          body = dumpNlohmann(reply);
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
