/** Loads the recorded vectors in ../shared/testdata (beside the repository). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TESTDATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/testdata');

export function loadVector<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(TESTDATA_DIR, file), 'utf8')) as T;
}
