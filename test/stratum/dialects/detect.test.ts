import { describe, expect, it } from 'vitest';
import { detectAlgorithm, detectDialect, ETHASH_UNAVAILABLE, refusalReason, refusalReply } from '../../../src/stratum/dialects/detect.js';

const req = (method: string, params: unknown[] = [], id: number | null = 1) => ({ id, method, params });

describe('dialect detection', () => {
  it('tells Ethash miners by their first message', () => {
    expect(detectAlgorithm(req('eth_submitLogin', ['0xabc']))).toBe('ethash');
    expect(detectAlgorithm(req('eth_getWork'))).toBe('ethash');
    expect(detectAlgorithm(req('mining.subscribe', ['ethminer/0.19', 'EthereumStratum/1.0.0']))).toBe('ethash');
  });

  it('reads everything else as SHA-256d Stratum V1', () => {
    expect(detectAlgorithm(req('mining.subscribe', ['cpuminer/2.5.1']))).toBe('sha256d');
    expect(detectAlgorithm(req('mining.subscribe', ['cgminer/4.10.0', 'f00dbabe']))).toBe('sha256d');
    expect(detectAlgorithm(req('mining.configure', [['version-rolling'], {}]))).toBe('sha256d');
    expect(detectAlgorithm(req('mining.suggest_difficulty', [512]))).toBe('sha256d');
  });

  it('names the Ethash dialect: eth-proxy, EthereumStratum/1.0.0, ethminer stratum, EthereumStratum/2.0.0', () => {
    expect(detectDialect(req('eth_submitLogin', ['0xabc']))).toEqual({ algorithm: 'ethash', dialect: 'ethproxy' });
    expect(detectDialect(req('mining.subscribe', ['T-Rex/0.26.8', 'EthereumStratum/1.0.0']))).toEqual({ algorithm: 'ethash', dialect: 'ethstratum' });
    expect(detectDialect(req('mining.hello', []))).toEqual({ algorithm: 'ethash', dialect: 'ethstratum2' });
    // ethminer >= 0.18 in stratum+tcp mode: empty params and the JSON-RPC 2.0 marker.
    expect(detectDialect({ ...req('mining.subscribe', []), jsonrpc: '2.0' }, ['sha256d', 'ethash'])).toEqual({
      algorithm: 'ethash',
      dialect: 'ethminer-stratum',
    });
  });

  it('keeps the ambiguous empty subscribe SV1 on a port with SHA-256d, ethminer stratum on an Ethash-only port', () => {
    // Old cgminer and old ethminer both send exactly this.
    const bare = req('mining.subscribe', []);
    expect(detectDialect(bare, ['sha256d', 'ethash'])).toEqual({ algorithm: 'sha256d' });
    expect(detectDialect(bare, ['sha256d'])).toEqual({ algorithm: 'sha256d' });
    expect(detectDialect(bare, ['ethash'])).toEqual({ algorithm: 'ethash', dialect: 'ethminer-stratum' });
    // The JSON-RPC 2.0 marker only counts where Ethash is served: an ASIC-only port never turns an SV1 client away.
    expect(detectDialect({ ...bare, jsonrpc: '2.0' }, ['sha256d'])).toEqual({ algorithm: 'sha256d' });
    // SV1 miners name themselves: never Ethash, whatever the port.
    expect(detectDialect(req('mining.subscribe', ['bitaxe/BM1366/v2.4.0']), ['ethash'])).toEqual({ algorithm: 'sha256d' });
    expect(detectDialect({ ...req('mining.subscribe', ['cpuminer/2.5.1']), jsonrpc: '2.0' }, ['sha256d', 'ethash'])).toEqual({
      algorithm: 'sha256d',
    });
  });

  it('refuses with a clear reason and in the miner dialect', () => {
    expect(refusalReason('ethash', ['sha256d', 'ethash'], ['sha256d'])).toBe(ETHASH_UNAVAILABLE);
    expect(refusalReason('sha256d', ['ethash'], ['sha256d'])).toMatch(/serves ethash miners only/);
    expect(refusalReason('sha256d', ['sha256d'], ['sha256d'])).toBeNull();
    expect(JSON.parse(refusalReply(req('eth_submitLogin', [], 1), 'no'))).toEqual({
      id: 1,
      jsonrpc: '2.0',
      result: null,
      error: { code: -32000, message: 'no' },
    });
    expect(JSON.parse(refusalReply(req('mining.subscribe', [], 2), 'no'))).toEqual({ id: 2, result: null, error: [20, 'no', null] });
  });
});
