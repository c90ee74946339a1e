import { describe, expect, it } from 'vitest';
import { errorReply, notification, parseMessage, successReply } from '../../src/stratum/jsonrpc.js';

describe('jsonrpc', () => {
  it('parses requests, defaulting params to []', () => {
    expect(parseMessage('{"id":4,"method":"mining.submit","params":["a"]}')).toEqual({
      kind: 'request',
      request: { id: 4, method: 'mining.submit', params: ['a'] },
    });
    expect(parseMessage('{"id":"x","method":"mining.extranonce.subscribe"}')).toEqual({
      kind: 'request',
      request: { id: 'x', method: 'mining.extranonce.subscribe', params: [] },
    });
  });

  it('tells responses from requests and explains invalid input', () => {
    expect(parseMessage('{"id":7,"result":"cgminer/4.10","error":null}')).toMatchObject({ kind: 'response', id: 7 });
    expect(parseMessage('{"id":1,"method":')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^Parse error/) });
    expect(parseMessage('[1,2]')).toMatchObject({ kind: 'invalid', message: 'Invalid request: expected a JSON object' });
    expect(parseMessage('{"id":3}')).toMatchObject({ kind: 'invalid', id: 3, message: "Invalid request: missing 'method'" });
    expect(parseMessage('{"id":3,"method":5}')).toMatchObject({ kind: 'invalid', id: 3 });
    expect(parseMessage('{"id":3,"method":"a","params":{"x":1}}')).toMatchObject({
      kind: 'invalid',
      message: "Invalid request: 'params' must be an array",
    });
  });

  it('always writes both result and error', () => {
    expect(JSON.parse(successReply(1, true))).toEqual({ id: 1, result: true, error: null });
    expect(JSON.parse(errorReply(2, 21, 'Job not found'))).toEqual({ id: 2, result: null, error: [21, 'Job not found', null] });
    expect(JSON.parse(notification('mining.set_difficulty', [8]))).toEqual({ id: null, method: 'mining.set_difficulty', params: [8] });
  });

  it('builds replies with exactly the bytes JSON.stringify gives', () => {
    const ids = [0, 4, -1, 1.5, 1e21, -0, 2 ** 53, null, '', 'x', 'quote " and \\ back', 'tab\there', '\u2028', 'ünï'];
    const messages = ['Low difficulty share', "Job 'ab\"c' not found", 'line\nbreak', ''];
    for (const id of ids) {
      expect(successReply(id, true)).toBe(JSON.stringify({ id, result: true, error: null }));
      expect(successReply(id, false)).toBe(JSON.stringify({ id, result: false, error: null }));
      for (const message of messages) {
        expect(errorReply(id, 23, message)).toBe(JSON.stringify({ id, result: null, error: [23, message, null] }));
      }
    }
  });
});
