/** BTC decimal <-> satoshi bigint: the chain-neutral exact conversions of core/amount.ts under Bitcoin's names. */
import { UNITS_PER_COIN, coinsToUnits, unitsToCoinString } from '../../core/amount.js';

export const SATOSHI_PER_BTC = UNITS_PER_COIN;

/** Exact 8-decimal BTC string for a satoshi amount, e.g. 123456789n -> "1.23456789". */
export const satoshiToBtcString = unitsToCoinString;

/** Satoshi from a node's BTC amount (number or decimal string); finer than 1 satoshi is an error. */
export const btcToSatoshi = coinsToUnits;
