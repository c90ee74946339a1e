/**
 * Checks the params of SV1 requests and turns them into typed values, or a precise message saying which param is
 * wrong and why (miners' logs show this text; operators debug firmware with it). Pure: no session state.
 */
import type { SubmitRequest } from './types.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const MAX_NAME_LENGTH = 256;
const MAX_JOB_ID_LENGTH = 64;
const HEX_RE = /^[0-9a-fA-F]+$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const SUBMIT_PARAM_NAMES = ['worker', 'job_id', 'extranonce2', 'ntime', 'nonce', 'version_bits'] as const;

/** `mining.submit [worker, job_id, extranonce2, ntime, nonce, (version_bits)]`. Hex comes back lowercase. */
export function checkSubmitParams(params: unknown[], extranonce2Size: number): Checked<SubmitRequest> {
  if (params.length < 5 || params.length > 6) {
    return {
      ok: false,
      message: `mining.submit expects 5 or 6 params [worker, job_id, extranonce2, ntime, nonce, version_bits?], got ${params.length}`,
    };
  }
  for (let i = 0; i < params.length; i++) {
    if (typeof params[i] !== 'string') {
      return {
        ok: false,
        message: `mining.submit param ${i + 1} (${SUBMIT_PARAM_NAMES[i]}) must be a string, got ${describe(params[i])}`,
      };
    }
  }
  // All present and strings (checked above); the defaults only satisfy the index-access typing.
  const [workerName = '', jobId = '', extranonce2 = '', ntime = '', nonce = ''] = params as string[];
  const versionBits = params[5] as string | undefined;
  if (workerName.length > MAX_NAME_LENGTH) return { ok: false, message: `worker name longer than ${MAX_NAME_LENGTH} characters` };
  if (jobId.length === 0 || jobId.length > MAX_JOB_ID_LENGTH) {
    return { ok: false, message: `job_id must be 1..${MAX_JOB_ID_LENGTH} characters, got ${jobId.length}` };
  }
  const en2Chars = extranonce2Size * 2;
  if (extranonce2.length !== en2Chars || !HEX_RE.test(extranonce2)) {
    return {
      ok: false,
      message: `extranonce2 must be ${en2Chars} hex characters (${extranonce2Size} bytes), got '${clip(extranonce2)}'`,
    };
  }
  const fixed = checkHex32('ntime', ntime) ?? checkHex32('nonce', nonce);
  if (fixed) return { ok: false, message: fixed };
  const req: SubmitRequest = {
    workerName,
    jobId,
    extranonce2: extranonce2.toLowerCase(),
    ntime: ntime.toLowerCase(),
    nonce: nonce.toLowerCase(),
  };
  if (versionBits !== undefined) {
    // Some firmwares drop leading zeros; the value is a 32-bit number, so left-pad to the 8-hex wire form.
    if (versionBits.length === 0 || versionBits.length > 8 || !HEX_RE.test(versionBits)) {
      return { ok: false, message: `version_bits must be 1..8 hex characters, got '${clip(versionBits)}'` };
    }
    req.versionBits = versionBits.toLowerCase().padStart(8, '0');
  }
  return { ok: true, value: req };
}

function checkHex32(name: string, value: string): string | null {
  if (value.length === 8 && HEX_RE.test(value)) return null;
  return `${name} must be 8 hex characters (big-endian 32-bit), got '${clip(value)}'`;
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}

export interface AuthorizeParams {
  username: string;
  password: string;
}

/** `mining.authorize [username, password]`; a missing or null password reads as ''. */
export function checkAuthorizeParams(params: unknown[]): Checked<AuthorizeParams> {
  const [username, password] = params;
  if (typeof username !== 'string' || username.trim().length === 0) {
    return { ok: false, message: `mining.authorize param 1 (username) must be a non-empty string, got ${describe(username)}` };
  }
  if (username.length > MAX_NAME_LENGTH) {
    return { ok: false, message: `mining.authorize username longer than ${MAX_NAME_LENGTH} characters` };
  }
  if (password !== undefined && password !== null && typeof password !== 'string') {
    return { ok: false, message: `mining.authorize param 2 (password) must be a string, got ${describe(password)}` };
  }
  const pass = typeof password === 'string' ? password : '';
  if (pass.length > MAX_NAME_LENGTH) {
    return { ok: false, message: `mining.authorize password longer than ${MAX_NAME_LENGTH} characters` };
  }
  return { ok: true, value: { username: username.trim(), password: pass } };
}

/**
 * Options miners put in the password field: `x`, `d=1024`, `x,d=1024`, `d=0.5;other=1`, `diff=2048`.
 * Unknown tokens are ignored (the field is free text for most miners); a malformed `d=` is reported.
 */
export function parsePasswordOptions(password: string): Checked<{ difficulty?: number }> {
  const out: { difficulty?: number } = {};
  for (const token of password.split(/[,; &]+/)) {
    const eq = token.indexOf('=');
    if (eq <= 0) continue;
    const key = token.slice(0, eq).toLowerCase();
    if (key !== 'd' && key !== 'diff' && key !== 'sd') continue;
    const difficulty = parseDifficulty(token.slice(eq + 1));
    if (difficulty === null) {
      return { ok: false, message: `password option ${key}= must be a positive number, got '${clip(token.slice(eq + 1))}'` };
    }
    out.difficulty = difficulty;
  }
  return { ok: true, value: out };
}

/** A positive finite difficulty from a JSON number or a numeric string, else null. */
export function parseDifficulty(raw: unknown): number | null {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^\s*[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?\s*$/.test(raw)) n = Number(raw);
  else return null;
  return Number.isFinite(n) && n > 0 ? n : null;
}

export interface ConfigureParams {
  extensions: string[];
  options: Record<string, unknown>;
}

/** `mining.configure [[extension, ...], {"ext.param": value, ...}]` (BIP310). */
export function checkConfigureParams(params: unknown[]): Checked<ConfigureParams> {
  const [extensions, options] = params;
  if (!Array.isArray(extensions) || !extensions.every((e) => typeof e === 'string')) {
    return { ok: false, message: 'mining.configure param 1 must be an array of extension names (strings)' };
  }
  if (extensions.length > 32) return { ok: false, message: 'mining.configure lists too many extensions' };
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    return { ok: false, message: `mining.configure param 2 must be an object of extension parameters, got ${describe(options)}` };
  }
  return { ok: true, value: { extensions: extensions as string[], options: (options ?? {}) as Record<string, unknown> } };
}

/** A 32-bit mask from the 8-hex BIP310 form (a `0x` prefix is tolerated), else null. */
export function parseMask(raw: unknown): number | null {
  if (typeof raw !== 'string') return null;
  const hex = raw.startsWith('0x') || raw.startsWith('0X') ? raw.slice(2) : raw;
  if (hex.length === 0 || hex.length > 8 || !HEX_RE.test(hex)) return null;
  return Number.parseInt(hex, 16) >>> 0;
}

export function popcount32(n: number): number {
  let v = n >>> 0;
  let count = 0;
  while (v !== 0) {
    v &= v - 1;
    count++;
  }
  return count;
}

export function maskHex(mask: number): string {
  return (mask >>> 0).toString(16).padStart(8, '0');
}
