/** Builds the Ethash WebAssembly kernels when a checkout has not run `npm run build:wasm` yet (npm ci does it). */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmAvailable } from '../../src/chains/ethash/engine.js';

export function ensureEthashWasm(): void {
  if (wasmAvailable()) return;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  execFileSync('npm', ['run', '--silent', 'build:wasm'], { cwd: root, stdio: 'inherit' });
  if (!wasmAvailable()) throw new Error('npm run build:wasm did not produce build/ethash.wasm');
}
