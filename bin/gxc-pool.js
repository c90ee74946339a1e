#!/usr/bin/env node
// Runs the compiled pool: dist/, built from src/ by `npm run build:server` (which `npm ci` runs through `prepare`),
// so no TypeScript transpiler runs at run time. GXC_POOL_FROM_SOURCE=1 runs src/ through tsx instead: tests set
// it (they exercise the sources as edited, without a build), and it is handy while developing.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/main.js', import.meta.url);
const fromSource = process.env.GXC_POOL_FROM_SOURCE === '1';
if (fromSource || !existsSync(compiled)) {
  if (!fromSource) process.stderr.write('gxc-pool: dist/ is not built (npm run build:server); running src/ through tsx\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
} else {
  await import(compiled.href);
}
