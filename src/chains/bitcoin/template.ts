/**
 * BIP22/23 (+BIP145) getblocktemplate result: the fields the pool uses, checked at the border so the rest of the
 * code can trust types, lengths and ranges.
 */
import { z } from 'zod';

const hex = (what: string) => z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, `expected ${what} as even-length hex`);
const hash64 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a 32-byte hash as 64 hex chars');
const u32 = z.number().int('expected an integer').min(0).max(0xffffffff);

const templateTxSchema = z.object({
  data: hex('raw transaction').min(2, 'empty transaction data'),
  txid: hash64,
  /** wtxid (BIP145); absent on old nodes. */
  hash: hash64.optional(),
  depends: z.array(z.number().int().min(1)).optional(),
  fee: z.number().int().min(0).optional(),
  sigops: z.number().int().min(0).optional(),
  weight: z.number().int().min(0).optional(),
});

export const blockTemplateSchema = z.object({
  version: z.number().int('expected an integer').min(-0x80000000).max(0xffffffff),
  rules: z.array(z.string()).optional(),
  previousblockhash: hash64,
  transactions: z.array(templateTxSchema),
  coinbaseaux: z.record(z.string(), z.string()).optional(),
  coinbasevalue: z.number().int('expected an integer number of satoshis').min(0).max(Number.MAX_SAFE_INTEGER),
  longpollid: z.string().min(1).optional(),
  target: hash64.optional(),
  mintime: u32,
  mutable: z.array(z.string()).optional(),
  noncerange: z.string().optional(),
  sigoplimit: z.number().int().optional(),
  sizelimit: z.number().int().optional(),
  weightlimit: z.number().int().optional(),
  curtime: u32,
  bits: z.string().regex(/^[0-9a-fA-F]{8}$/, 'expected compact bits as 8 hex chars'),
  height: z.number().int('expected an integer').min(0).max(0x7fffffff),
  default_witness_commitment: hex('witness commitment script').optional(),
});

export type BlockTemplate = z.infer<typeof blockTemplateSchema>;
export type TemplateTransaction = z.infer<typeof templateTxSchema>;

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

/** Parses a getblocktemplate result; throws an Error naming the first bad field. */
export function parseBlockTemplate(value: unknown): BlockTemplate {
  const parsed = blockTemplateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? pathText(issue.path) : '(root)';
    throw new Error(`invalid getblocktemplate result: ${where}: ${issue?.message ?? 'does not match the schema'}`);
  }
  const t = parsed.data;
  if (t.mintime > t.curtime) throw new Error(`invalid getblocktemplate result: mintime ${t.mintime} > curtime ${t.curtime}`);
  t.transactions.forEach((tx, i) => {
    for (const d of tx.depends ?? []) {
      if (d > i) throw new Error(`invalid getblocktemplate result: transactions[${i}].depends: ${d} is not an earlier transaction`);
    }
  });
  return t;
}

/** Segwit is active when the node lists the rule (as "segwit" or the mandatory "!segwit"). */
export function segwitActive(t: BlockTemplate): boolean {
  return (t.rules ?? []).some((r) => r === 'segwit' || r === '!segwit');
}
