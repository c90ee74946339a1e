/**
 * A real chain of GXC JSON blocks with the node's checks (submit.ts), a mempool, a UTXO-based wallet with
 * coinbase maturity, and the devnet knobs tests need: a CPU-friendly difficulty, proof-of-stake heights,
 * orphaning (invalidateBlock), internal mining (generate). Difficulty stays where it is set (no retargeting).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { validateGxcAddress, type GxcNetwork } from '../../chains/gxc/address.js';
import { gxcSubsidyUnits } from '../../chains/gxc/amounts.js';
import { expectedHashesPerBlock, meetsGxcDifficulty } from '../../chains/gxc/difficulty.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { blockJson, HARDCODED_BITS, HARDCODED_TARGET, templateTxJson, gxc, type DevBlock } from './json-views.js';
import { buildSpend, devTxId, outpoint, sixDecimals, UNITS, UtxoSet, WALLET_FEE_UNITS, type DevTx, type Utxo } from './ledger.js';
import { nodeBlockHash, nodeMerkleRoot, nodeTextHash } from './node-hash.js';
import { dbl, type NJson } from './nlohmann-json.js';
import {
  NodeRpcFailure,
  RPC_INTERNAL_ERROR,
  RPC_INVALID_PARAMETER,
  RPC_WALLET_ERROR,
  RPC_WALLET_INSUFFICIENT_FUNDS,
  type NObject,
} from './node-values.js';
import { loadChain, saveChain } from './persist.js';
import { createDevnetEthash, type DevnetEthash } from './ethash-light.js';
import { checkSubmittedBlock, type SubmitState } from './submit.js';

export interface GxcDevnetChainOptions {
  network?: GxcNetwork;
  /** Network difficulty in leading hex zeros (default 5: ~1M hashes a block, about a second at 1 MH/s). */
  difficulty?: number;
  /** Addresses the node wallet owns; the first is what getnewaddress answers. Default: one made up. */
  walletAddresses?: string[];
  /** Synthetic mempool transactions created at start and after every block (default 3). */
  mempoolTxs?: number;
  /** Re-verify submitted hashes (bridge header or node text hash). Default true; false behaves as the node. */
  verifyHashes?: boolean;
  /** Reproduce the node bug "Coinbase reward exceeds maximum ... Max allowed: 0". */
  supplyBug?: boolean;
  /** Heights whose template is proof-of-stake. */
  posHeights?: number[];
  genesisHash?: string;
  genesisTime?: number;
  /** Coinbase maturity (default 6 on testnet, 100 on mainnet). */
  maturity?: number;
  /** Clock in seconds (tests pin it). */
  now?: () => number;
  /** Keep the chain in this folder across restarts. */
  dataDir?: string;
  /** Ethash light evaluation for `pow_ethash` blocks (default: the devnet's own, on a worker thread). */
  ethash?: DevnetEthash;
  logger?: Logger;
}

/** Genesis funds for the synthetic mempool traffic (spendable at once: genesis is exempt from maturity). */
const FAUCET_UNITS = 1_000_000n * UNITS;

export class GxcDevnetChain {
  readonly network: GxcNetwork;
  readonly walletAddresses: string[];
  readonly faucetAddress: string;
  readonly maturity: number;
  difficulty: number;
  verifyHashes: boolean;
  supplyBug: boolean;
  readonly posHeights: Set<number>;
  readonly blocks: DevBlock[] = [];
  readonly mempool = new Map<string, DevTx>();
  private utxo = new UtxoSet();
  private readonly opts: GxcDevnetChainOptions;
  private readonly logger: Logger;
  readonly now: () => number;
  private readonly ethash: DevnetEthash;

  constructor(opts: GxcDevnetChainOptions = {}) {
    this.opts = opts;
    this.network = opts.network ?? 'testnet';
    const prefix = this.network === 'testnet' ? 'tGXC' : 'GXC';
    this.difficulty = opts.difficulty ?? 5;
    this.verifyHashes = opts.verifyHashes ?? true;
    this.supplyBug = opts.supplyBug ?? false;
    this.posHeights = new Set(opts.posHeights ?? []);
    this.maturity = opts.maturity ?? (this.network === 'testnet' ? 6 : 100);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.logger = opts.logger ?? silentLogger;
    this.ethash = opts.ethash ?? createDevnetEthash({ logger: this.logger });
    this.faucetAddress = `${prefix}faucet${nodeTextHash(`faucet-${this.network}`).slice(0, 30)}`;
    const saved = opts.dataDir ? loadChain(opts.dataDir) : null;
    const wallet = opts.walletAddresses?.length ? opts.walletAddresses : (saved?.walletAddresses ?? [`${prefix}${randomBytes(17).toString('hex')}`]);
    for (const a of wallet) {
      const problem = validateGxcAddress(a, this.network);
      if (problem) throw new Error(`devnet wallet address ${a}: ${problem}`);
    }
    this.walletAddresses = [...wallet];
    if (saved) {
      if (saved.network !== this.network) throw new Error(`devnet state in ${opts.dataDir} is for ${saved.network}, not ${this.network}`);
      for (const b of saved.blocks) this.connect(b, false);
      for (const tx of saved.mempool) this.mempool.set(tx.txid, tx);
      this.revalidateMempool();
    } else {
      this.connect(this.genesis(), false);
      this.addSyntheticTransactions(opts.mempoolTxs ?? 3);
    }
    this.save();
    // The first Ethash block then finds its epoch's cache built (off the event loop), not a 1–3 s build.
    if (this.verifyHashes) this.ethash.prepare(this.count);
  }

  /** Stops the Ethash thread (the chain itself holds no other resource). */
  close(): Promise<void> {
    return this.ethash.close();
  }

  /** getblockcount: blocks including genesis = tip height + 1 = the next block's height. */
  get count(): number {
    return this.blocks.length;
  }

  get tip(): DevBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  subsidyUnits(height: number): bigint {
    return gxcSubsidyUnits(height);
  }

  private genesis(): DevBlock {
    const timestamp = this.opts.genesisTime ?? this.now();
    const body = {
      coinbase: true,
      from: '',
      to: this.faucetAddress,
      inputs: [],
      outputs: [{ address: this.faucetAddress, units: FAUCET_UNITS }],
      feeUnits: 0n,
      timestamp,
    };
    const tx: DevTx = { ...body, txid: devTxId(body, 'genesis') };
    const merkleroot = nodeMerkleRoot([tx.txid]);
    const prev = '0'.repeat(64);
    const hash = this.opts.genesisHash ?? nodeBlockHash({ height: 0, previousblockhash: prev, timestamp, merkleroot, nonce: 0n });
    return {
      height: 0,
      hash,
      previousblockhash: prev,
      timestamp,
      nonce: 0n,
      difficulty: this.difficulty,
      miner: this.faucetAddress,
      merkleroot,
      txs: [tx],
      subsidyUnits: this.subsidyUnits(0),
      consensus: 'pow_sha256',
    };
  }

  private connect(block: DevBlock, persist = true): void {
    for (const tx of block.txs) {
      const problem = this.utxo.apply(tx, block.height);
      if (problem) throw new Error(`devnet cannot connect block ${block.height}: ${problem}`);
    }
    this.blocks.push(block);
    for (const tx of block.txs) this.mempool.delete(tx.txid);
    if (persist) {
      this.revalidateMempool();
      this.addSyntheticTransactions(this.opts.mempoolTxs ?? 3);
      this.save();
      // Keeps the current and next epoch's caches built ahead of the switch.
      if (this.verifyHashes) this.ethash.prepare(this.count);
      this.logger.info(
        { event: 'devnet_block', height: block.height, hash: block.hash, txs: block.txs.length, miner: block.miner },
        `GXC devnet block ${block.height} accepted`,
      );
    }
  }

  /** Drops mempool transactions that no longer apply on the tip (spent inputs after a block or a reorg). */
  private revalidateMempool(): void {
    const scratch = this.utxo.clone();
    for (const [id, tx] of [...this.mempool]) {
      if (scratch.apply(tx, this.count)) this.mempool.delete(id);
    }
  }

  private save(): void {
    if (!this.opts.dataDir) return;
    saveChain(this.opts.dataDir, {
      format: 1,
      network: this.network,
      walletAddresses: this.walletAddresses,
      blocks: this.blocks,
      mempool: [...this.mempool.values()],
    });
  }

  private reservedOutpoints(): Set<string> {
    const reserved = new Set<string>();
    for (const tx of this.mempool.values()) for (const i of tx.inputs) reserved.add(outpoint(i.txHash, i.outputIndex));
    return reserved;
  }

  /**
   * What `address` can spend: confirmed, mature outputs not already being spent, plus its own unconfirmed change
   * (so several payouts can leave before the next block, as a Bitcoin wallet allows).
   */
  spendableOutputs(address: string): Utxo[] {
    const reserved = this.reservedOutpoints();
    const out = this.utxo.spendable(address, this.count - 1, this.maturity, reserved);
    for (const tx of this.mempool.values()) {
      if (tx.from !== address) continue;
      tx.outputs.forEach((o, index) => {
        if (o.address === address && !reserved.has(outpoint(tx.txid, index))) {
          out.push({ txid: tx.txid, index, address, units: o.units, height: this.count, coinbase: false });
        }
      });
    }
    return out.sort((a, b) => (b.units > a.units ? 1 : b.units < a.units ? -1 : 0));
  }

  balanceUnits(address: string): bigint {
    return this.spendableOutputs(address).reduce((a, u) => a + u.units, 0n);
  }

  /** Adds `n` faucet payments to random addresses (chained through the faucet's change). */
  addSyntheticTransactions(n: number): DevTx[] {
    const prefix = this.network === 'testnet' ? 'tGXC' : 'GXC';
    const added: DevTx[] = [];
    for (let k = 0; k < n; k++) {
      const available = this.spendableOutputs(this.faucetAddress);
      const units = BigInt(randomInt(10, 500)) * (UNITS / 100n);
      const tx = buildSpend({
        from: this.faucetAddress,
        to: `${prefix}${randomBytes(16).toString('hex')}`,
        units,
        available,
        timestamp: this.now(),
        salt: randomBytes(8).toString('hex'),
      });
      if (!tx) break;
      this.mempool.set(tx.txid, tx);
      added.push(tx);
    }
    if (added.length) this.save();
    return added;
  }

  template(minerAddress: string): NObject {
    const height = this.count;
    const fees = [...this.mempool.values()].reduce((a, t) => a + t.feeUnits, 0n);
    const subsidy = this.subsidyUnits(height);
    const body = {
      coinbase: true,
      from: '',
      to: minerAddress,
      inputs: [],
      outputs: [{ address: minerAddress, units: subsidy + fees }],
      feeUnits: 0n,
      timestamp: this.now(),
    };
    // The id leaves the time out so an unchanged template keeps its content (and the pool's templateKey).
    const coinbase: DevTx = { ...body, txid: devTxId({ ...body, timestamp: 0 }, `${height}|${this.tip.hash}`) };
    const pos = this.posHeights.has(height);
    const t: NObject = {
      bits: HARDCODED_BITS,
      block_reward: gxc(subsidy),
      block_type: pos ? 'pos' : 'pow',
      coinbase_value: gxc(subsidy + fees),
      coinbaseaux: {},
      coinbasevalue: subsidy + fees,
      consensus_type: pos ? 'pos' : 'pow',
      curtime: this.now(),
      difficulty: dbl(this.difficulty),
      height,
      mintime: this.now(),
      mutable: [],
      noncerange: '00000000ffffffff',
      previousblockhash: this.tip.hash,
      reward: gxc(subsidy),
      sigoplimit: 20000,
      sizelimit: 1000000,
      target: HARDCODED_TARGET,
      transactions: [templateTxJson(coinbase, height), ...[...this.mempool.values()].map((tx) => templateTxJson(tx, height))],
      version: 1,
    };
    if (pos) {
      t.validator_address = this.walletAddresses[0]!;
      t.validator_stake = dbl(0);
    }
    return t;
  }

  /**
   * submitblock: throws NodeRpcFailure with the node's message, or connects the block. An Ethash block's hash is
   * computed off the event loop first; the block is then checked again against the chain as it is by then (another
   * block may have arrived meanwhile), so the check and the connect stay one synchronous step.
   */
  async submit(params: NJson[]): Promise<void> {
    let verdict = checkSubmittedBlock(params, this.submitState());
    // A result can only be missing again if more than 16 other Ethash blocks were computed meanwhile.
    for (let attempt = 0; 'ethashNeeded' in verdict; attempt++) {
      if (attempt === 3) throw new NodeRpcFailure(RPC_INTERNAL_ERROR, 'Failed to submit block: Ethash verification kept being evicted; retry');
      try {
        await this.ethash.compute(verdict.ethashNeeded);
      } catch (err) {
        throw new NodeRpcFailure(RPC_INTERNAL_ERROR, `Failed to submit block: Ethash verification failed: ${(err as Error).message}`);
      }
      verdict = checkSubmittedBlock(params, this.submitState());
    }
    this.connect(verdict);
  }

  private submitState(): SubmitState {
    return {
      count: this.count,
      tip: this.tip,
      difficulty: this.difficulty,
      now: this.now(),
      subsidyUnits: (h) => this.subsidyUnits(h),
      isPosHeight: (h) => this.posHeights.has(h),
      mempool: this.mempool,
      utxo: this.utxo,
      verifyHashes: this.verifyHashes,
      supplyBug: this.supplyBug,
      ethash: this.ethash,
    };
  }

  sendToAddress(to: string, units: bigint, from: string = this.walletAddresses[0]!): string {
    if (!this.walletAddresses.includes(from)) throw new NodeRpcFailure(RPC_WALLET_ERROR, `Address ${from} is not in the node wallet`);
    const tx = buildSpend({ from, to, units, available: this.spendableOutputs(from), timestamp: this.now(), salt: randomBytes(8).toString('hex') });
    if (!tx) {
      throw new NodeRpcFailure(
        RPC_WALLET_INSUFFICIENT_FUNDS,
        `Insufficient funds. Required: ${sixDecimals(units + WALLET_FEE_UNITS)} GXC (amount: ${sixDecimals(units)} + fee: ${sixDecimals(WALLET_FEE_UNITS)}), Available at ${from.slice(0, 20)}...: ${sixDecimals(this.balanceUnits(from))} GXC`,
      );
    }
    this.mempool.set(tx.txid, tx);
    this.save();
    return tx.txid;
  }

  findBlock(ref: string | number): DevBlock | undefined {
    if (typeof ref === 'number') return this.blocks[ref];
    return this.blocks.find((b) => b.hash === ref.toLowerCase());
  }

  blockJson(block: DevBlock): NObject {
    let chainwork = 0;
    for (let h = 0; h <= block.height; h++) chainwork += this.blocks[h]!.difficulty;
    return blockJson(block, this.count - block.height, chainwork);
  }

  /** Mined transaction lookup (the node's gettransaction only searches blocks). */
  findMinedTx(txid: string): { tx: DevTx; block: DevBlock } | undefined {
    for (let h = this.blocks.length - 1; h >= 0; h--) {
      const block = this.blocks[h]!;
      const tx = block.txs.find((t) => t.txid === txid);
      if (tx) return { tx, block };
    }
    return undefined;
  }

  /** Orphans `hash` and every block after it; their transactions go back to the mempool. Returns blocks removed. */
  invalidateBlock(hash: string): number {
    const block = this.findBlock(hash);
    if (!block) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Block not found');
    if (block.height === 0) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Cannot invalidate the genesis block');
    const removed = this.blocks.splice(block.height);
    const waiting = [...this.mempool.values()];
    this.mempool.clear();
    for (const b of removed) for (const tx of b.txs) if (!tx.coinbase) this.mempool.set(tx.txid, tx);
    for (const tx of waiting) this.mempool.set(tx.txid, tx);
    this.utxo = new UtxoSet();
    for (const b of this.blocks) for (const tx of b.txs) this.utxo.apply(tx, b.height);
    this.revalidateMempool();
    this.save();
    this.logger.info(
      { event: 'devnet_invalidate', height: block.height, removed: removed.length },
      `GXC devnet orphaned ${removed.length} block(s) from height ${block.height}`,
    );
    return removed.length;
  }

  /** Mines `n` blocks to `address` with the node's own text hash (real proof of work at the set difficulty). */
  generate(n: number, address: string = this.walletAddresses[0]!): string[] {
    const hashes: string[] = [];
    const maxTries = Math.min(2 ** 31, expectedHashesPerBlock(this.difficulty) * 64);
    for (let k = 0; k < n; k++) {
      const height = this.count;
      const pos = this.posHeights.has(height);
      const txs = [...this.mempool.values()];
      const fees = txs.reduce((a, t) => a + t.feeUnits, 0n);
      const timestamp = this.now();
      const body = {
        coinbase: true,
        from: '',
        to: address,
        inputs: [],
        outputs: [{ address, units: this.subsidyUnits(height) + fees }],
        feeUnits: 0n,
        timestamp,
      };
      const all = [{ ...body, txid: devTxId(body, `${height}|${this.tip.hash}|generate`) }, ...txs];
      const merkleroot = nodeMerkleRoot(all.map((t) => t.txid));
      const fields = { height, previousblockhash: this.tip.hash, timestamp, merkleroot, nonce: 0n };
      let hash = nodeBlockHash(fields);
      while (!pos && !meetsGxcDifficulty(hash, this.difficulty)) {
        if (fields.nonce >= BigInt(maxTries)) throw new Error(`devnet generate: no block within ${maxTries} nonces`);
        fields.nonce++;
        hash = nodeBlockHash(fields);
      }
      this.connect({
        ...fields,
        hash,
        difficulty: this.difficulty,
        miner: address,
        txs: all,
        subsidyUnits: this.subsidyUnits(height),
        consensus: pos ? 'pos' : 'pow_sha256',
      });
      hashes.push(hash);
    }
    return hashes;
  }

  /** Network hash rate estimated from the last blocks' difficulty and spacing. */
  networkHashPs(): number {
    const recent = this.blocks.slice(Math.max(1, this.blocks.length - 10));
    if (recent.length < 2) return 0;
    const span = recent[recent.length - 1]!.timestamp - recent[0]!.timestamp;
    if (span <= 0) return 0;
    return recent.slice(1).reduce((a, b) => a + expectedHashesPerBlock(b.difficulty), 0) / span;
  }
}
