/**
 * The built-in Ethash miner's hashing speed (light mode, worker threads): light-cache build time in a thread, then
 * hashes per second with 1..N threads hashing one header, each run bounded in time.
 *
 *   node bin/run-ts.js bench/ethash-miner.ts --epoch=1 --threads=1,2 --seconds=10
 */
import { EthashThreads } from '../src/miner/ethash-threads.js';

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
}

const epoch = Number(arg('epoch', '1'));
const threadCounts = arg('threads', '1,2').split(',').map(Number);
const seconds = Math.min(120, Number(arg('seconds', '10')));
const header = Buffer.from('af6b9d24209d754b50394ea7f8a8578b06a3591f0457ea68025d86d8ac924aef', 'hex');

for (const count of threadCounts) {
  const threads = new EthashThreads(count);
  const built = performance.now();
  await threads.lightCache(epoch);
  const buildMs = performance.now() - built;
  let hashes = 0;
  let next = 0n;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      while (performance.now() < deadline) {
        const start = next;
        next += 64n;
        // Boundary 0: nothing is "found", every nonce is hashed (the miner's hot loop).
        const result = await threads.run(index, { epoch, headerHash: header, start, count: 64, boundary: 0n });
        hashes += result.done;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  console.log(
    `ethash miner, epoch ${epoch}, ${count} thread(s): light cache ${(buildMs / 1000).toFixed(1)} s (built once, shared), ` +
      `${hashes} hashes in ${elapsed.toFixed(1)} s = ${(hashes / elapsed).toFixed(0)} H/s (${(hashes / elapsed / count).toFixed(0)} H/s per thread)`,
  );
  await threads.close();
}
