/**
 * The floor of a share decision in Node on this machine: a Stratum V1 responder that does only the protocol I/O
 * (line framing, JSON.parse, one fixed reject per submit, one write per read) and none of the pool's work.
 * `bench/floor.ts` runs it as its own process and drives it with `gxc-pool bench-stratum`; what it costs per
 * decision is what any Node pool pays before checking anything.
 *
 *   node bin/run-ts.js bench/floor/responder.ts PORT
 */
import net from 'node:net';

const zeros = (chars: number): string => '0'.repeat(chars);
/** A well-formed job (the load generator parses it): empty branch, regtest nbits, clean. */
const notify = `${JSON.stringify({
  id: null,
  method: 'mining.notify',
  params: ['1', zeros(64), `01${zeros(80)}`, zeros(20), [], '20000000', '207fffff', '6553f100', true],
})}\n`;
const setDifficulty = '{"id":null,"method":"mining.set_difficulty","params":[1]}\n';

interface Request {
  id: unknown;
  method: unknown;
}

let sessions = 0;
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  const extranonce1 = (sessions++).toString(16).padStart(8, '0');
  let pending = '';
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let out = '';
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const msg = JSON.parse(pending.slice(0, nl)) as Request;
      pending = pending.slice(nl + 1);
      if (msg.method === 'mining.subscribe') out += `${JSON.stringify({ id: msg.id, result: [[], extranonce1, 4], error: null })}\n`;
      else if (msg.method === 'mining.authorize') out += `${JSON.stringify({ id: msg.id, result: true, error: null })}\n${setDifficulty}${notify}`;
      else out += `${JSON.stringify({ id: msg.id, result: null, error: [23, 'Low difficulty share (1.2e-5 < 1)', null] })}\n`;
    }
    if (out.length > 0) socket.write(out);
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write(`listening ${process.pid}\n`));
