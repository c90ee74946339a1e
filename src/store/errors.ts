/** Errors the stores throw on purpose (bad input, broken invariants); anything else is a database failure. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** createPayments would take an address's confirmed balance below zero: nothing was written. */
export class InsufficientBalanceError extends StoreError {
  override readonly name = 'InsufficientBalanceError';
  constructor(
    readonly pool: string,
    readonly address: string,
    readonly confirmed: bigint,
    readonly requested: bigint,
  ) {
    super(`payment of ${requested} to ${address} in pool ${pool} exceeds its confirmed balance ${confirmed}`);
  }
}
