/**
 * BIP310 `mining.configure` negotiation, as a pure function of the request and the pool's version mask.
 * Known extensions: version-rolling (mask = pool mask AND miner mask, refused when fewer bits than the miner's
 * min-bit-count remain), minimum-difficulty, subscribe-extranonce. Every other extension is answered `false`,
 * which tells the miner "not supported" without failing the request.
 */
import { maskHex, parseDifficulty, parseMask, popcount32, type ConfigureParams } from './params.js';

export interface ConfigureOutcome {
  /** The `result` object for the reply. */
  result: Record<string, unknown>;
  /** The negotiated mask when version-rolling was requested (0 = refused), undefined when not requested. */
  versionMask?: number;
  /** A difficulty the miner asked to stay at or above. */
  minimumDifficulty?: number;
  subscribeExtranonce: boolean;
  /** Why an extension was refused, for the session log. */
  notes: string[];
}

export function negotiateConfigure(req: ConfigureParams, poolMask: number): ConfigureOutcome {
  // Null prototype: extension names come from the miner ("__proto__" must stay a plain key).
  const out: ConfigureOutcome = { result: Object.create(null) as Record<string, unknown>, subscribeExtranonce: false, notes: [] };
  for (const ext of req.extensions) {
    switch (ext) {
      case 'version-rolling': {
        const rawMask = req.options['version-rolling.mask'];
        // BIP310 makes the mask a required parameter; a miner that leaves it out accepts whatever we allow.
        const minerMask = rawMask === undefined ? 0xffffffff : parseMask(rawMask);
        const rawMin = req.options['version-rolling.min-bit-count'];
        const minBits = rawMin === undefined ? 0 : rawMin;
        if (minerMask === null) {
          out.result[ext] = false;
          out.versionMask = 0;
          out.notes.push(`version-rolling.mask is not 8 hex characters: ${JSON.stringify(rawMask)}`);
          break;
        }
        if (typeof minBits !== 'number' || !Number.isInteger(minBits) || minBits < 0 || minBits > 32) {
          out.result[ext] = false;
          out.versionMask = 0;
          out.notes.push(`version-rolling.min-bit-count is not an integer 0..32: ${JSON.stringify(rawMin)}`);
          break;
        }
        const mask = (poolMask & minerMask) >>> 0;
        const bits = popcount32(mask);
        if (mask === 0 || bits < minBits) {
          out.result[ext] = false;
          out.versionMask = 0;
          out.notes.push(`version-rolling refused: mask ${maskHex(mask)} has ${bits} bits, miner needs ${minBits}`);
          break;
        }
        out.result[ext] = true;
        out.result['version-rolling.mask'] = maskHex(mask);
        out.versionMask = mask;
        break;
      }
      case 'minimum-difficulty': {
        const value = parseDifficulty(req.options['minimum-difficulty.value']);
        if (value === null) {
          out.result[ext] = false;
          out.notes.push('minimum-difficulty.value is not a positive number');
          break;
        }
        out.result[ext] = true;
        out.minimumDifficulty = value;
        break;
      }
      case 'subscribe-extranonce':
        out.result[ext] = true;
        out.subscribeExtranonce = true;
        break;
      default:
        out.result[ext] = false;
    }
  }
  return out;
}
