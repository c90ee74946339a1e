/**
 * checkShare throughput on real work: BitcoinWork from a recorded regtest template, job difficulty 1e-9 (about a
 * quarter of hashes meet it; every call runs the full path: hex checks, coinbase, sha256d, merkle fold, header,
 * sha256d, target compare, achieved difficulty). Also times each step on its own to show where the time goes.
 *
 *   node bin/run-ts.js bench/share-check.ts [--count=200000] [--seconds=3]
 *
 * Each measured loop stops at --count calls or --seconds, whichever comes first.
 */
import type { Sha256dWork } from '../src/chains/types.js';
import { sha256d } from '../src/core/hash.js';
import { hashHeader, serializeHeader } from '../src/core/header.js';
import { merkleRootFromBranch } from '../src/core/merkle.js';
import { difficultyToTarget, hashValueDifficulty } from '../src/core/target.js';
import { checkShare, type ShareInput } from '../src/pool/share-check.js';
import { numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { boundedLoop, fmt, fmtInt, type LoopResult } from './support/stats.js';
import { currentNtime, EXTRANONCE2_SIZE, hex8, noBlockWork } from './support/work.js';

const maxOps = Math.floor(numberArg('count', 200_000));
const maxSeconds = numberArg('seconds', 3);
const JOB_DIFFICULTY = 1e-9;
const VERSION_MASK = 0x1fffe000;
const extranonce1 = Buffer.from('0a0b0c0d', 'hex');

function inputFor(work: Sha256dWork, ntime: number, i: number): ShareInput {
  return {
    work,
    // extranonce2 and nonce change every call, so every call hashes a different coinbase and header.
    req: {
      workerName: 'bench',
      jobId: '1',
      extranonce2: hex8(i),
      ntime: hex8(ntime),
      nonce: hex8(i * 2654435761),
      versionBits: hex8(((i & 0xffff) << 13) & VERSION_MASK),
    },
    extranonce1,
    extranonce2Size: EXTRANONCE2_SIZE,
    versionMask: VERSION_MASK,
    jobDifficulty: JOB_DIFFICULTY,
    nowSeconds: ntime,
  };
}

/** The same work checkShare does, one step at a time, so each step can be timed alone. */
function stepsFor(work: Sha256dWork, ntime: number) {
  const coinbaseOf = (i: number): Buffer => Buffer.concat([work.coinb1, extranonce1, Buffer.from(hex8(i), 'hex'), work.coinb2]);
  const headerOf = (root: Buffer, i: number): Buffer =>
    serializeHeader({
      version: work.version,
      prevHash: work.prevHashInternal,
      merkleRoot: root,
      time: ntime,
      bits: work.bits,
      nonce: (i * 2654435761) >>> 0,
    });
  return { coinbaseOf, headerOf };
}

interface Row {
  label: string;
  r: LoopResult;
}

function measure(work: Sha256dWork, label: string): void {
  const ntime = currentNtime(work);
  // Sanity first: the bench must exercise the accepting path, and the step-by-step split must rebuild the very
  // header checkShare built (same bytes, same hash), or the split would be timing something else.
  const probe = checkShare(inputFor(work, ntime, 7));
  if (!probe.ok) throw new Error(`bench share was rejected: ${probe.message}`);
  if (probe.isBlock) throw new Error('bench share should not be a block (network target 1)');
  const { coinbaseOf, headerOf } = stepsFor(work, ntime);
  const probeVersionless = checkShare({ ...inputFor(work, ntime, 7), req: { ...inputFor(work, ntime, 7).req, versionBits: undefined } });
  const manual = hashHeader(headerOf(merkleRootFromBranch(sha256d(coinbaseOf(7)), work.merkleBranch), 7));
  if (!probeVersionless.ok || probeVersionless.solution.hashDisplay !== manual.displayHex) {
    throw new Error('step-by-step header does not match checkShare: the split would measure different work');
  }

  // Warm-up (JIT) outside the measured loops.
  boundedLoop(20_000, 500, (i) => checkShare(inputFor(work, ntime, i)));

  // At 1e-9 the share target is ~2^254: about a quarter of random headers meet it. Both outcomes run the same
  // code (the verdict is one comparison), so every call is counted; the split is printed as a check.
  let meets = 0;
  let failed = 0;
  const full = boundedLoop(maxOps, maxSeconds * 1000, (i) => {
    const r = checkShare(inputFor(work, ntime, i));
    if (!r.ok || r.isBlock) failed++;
    else if (r.meetsShareTarget) meets++;
  });
  if (failed !== 0) throw new Error(`${failed} bench shares were refused or were blocks`);

  const txRoot = sha256d(coinbaseOf(1));
  const header = headerOf(txRoot, 1);
  const hashValue = hashHeader(header).value;
  const stepMs = (maxSeconds * 1000) / 4;
  const rows: Row[] = [
    { label: 'coinbase concat + sha256d(coinbase)', r: boundedLoop(maxOps, stepMs, (i) => sha256d(coinbaseOf(i))) },
    {
      label: `merkle fold (${work.merkleBranch.length} x sha256d of 64 bytes)`,
      r: boundedLoop(maxOps, stepMs, () => merkleRootFromBranch(txRoot, work.merkleBranch)),
    },
    { label: 'header serialize + sha256d(header) + LE bigint', r: boundedLoop(maxOps, stepMs, (i) => hashHeader(headerOf(txRoot, i))) },
    {
      label: 'share target (bigint) + achieved difficulty',
      r: boundedLoop(maxOps, stepMs, () => hashValue <= difficultyToTarget(JOB_DIFFICULTY) && hashValueDifficulty(hashValue) > 0),
    },
  ];
  const stepsNs = rows.reduce((a, row) => a + row.r.nsPerOp, 0);

  console.log(
    `\n-- ${label}: merkle branch ${work.merkleBranch.length}, coinbase ${work.coinb1.length + 8 + work.coinb2.length} bytes, job difficulty ${JOB_DIFFICULTY}`,
  );
  console.log(
    `checkShare: ${fmtInt(full.opsPerSecond)} shares/s, ${fmt(full.nsPerOp / 1000, 2)} µs/share ` +
      `(${fmtInt(full.ops)} shares in ${fmt(full.elapsedMs, 0)} ms; ${fmt((100 * meets) / full.ops, 1)}% met the 1e-9 target, none a block)`,
  );
  for (const row of rows) {
    console.log(
      `  ${row.label.padEnd(52)} ${fmt(row.r.nsPerOp / 1000, 2).padStart(7)} µs  (${fmt((100 * row.r.nsPerOp) / full.nsPerOp, 0).padStart(3)}%)`,
    );
  }
  const rest = full.nsPerOp - stepsNs;
  console.log(
    `  ${'rest (hex checks, parsing, objects; <0 = noise)'.padEnd(52)} ${fmt(rest / 1000, 2).padStart(7)} µs  (${fmt((100 * rest) / full.nsPerOp, 0).padStart(3)}%)`,
  );
}

printMachine('bench/share-check.ts');
console.log(`bounds: at most ${fmtInt(maxOps)} calls and ${maxSeconds} s per measured loop; single thread`);
measure(noBlockWork(), 'recorded regtest template (6 txs)');
// Mainnet blocks carry ~3000-4000 transactions: a 12-level branch. Same code path, 9 more sha256d per share.
measure(noBlockWork(undefined, 9), 'same work, branch extended to 12 (mainnet-sized block)');
