/**
 * Builds the dashboard (src/web/app) into static files: one JS bundle with uPlot inside, one CSS file and the
 * HTML shell. Nothing is fetched from a CDN at run time; the pool serves these files itself.
 * Run by `npm run build:web` (and by `prepare`, so `npm ci` builds it), and by the server when the bundle is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * The package root: the nearest folder above this file with a package.json and the dashboard sources. This file
 * runs from src/web (sources through tsx) and from dist/web (compiled), and both must find the same folders.
 */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src', 'web', 'app'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..');
  }
}

const ROOT = packageRoot(HERE);
export const WEB_SOURCE_DIR = path.join(ROOT, 'src', 'web', 'app');
/** dist/web at the package root. */
export const WEB_BUNDLE_DIR = path.join(ROOT, 'dist', 'web');
/** Files the server needs; the build writes them all or fails. */
export const WEB_BUNDLE_FILES = ['index.html', 'app.js', 'app.css'] as const;

export function webBundleComplete(dir = WEB_BUNDLE_DIR): boolean {
  return WEB_BUNDLE_FILES.every((f) => fs.existsSync(path.join(dir, f)));
}

/**
 * True when the bundle is missing a file or a source is newer than it (a `git pull` without `npm ci`), so a
 * start never serves yesterday's pages. Without the sources (an installed package), a complete bundle is current.
 */
export function webBundleStale(dir = WEB_BUNDLE_DIR, sourceDir = WEB_SOURCE_DIR): boolean {
  if (!webBundleComplete(dir)) return true;
  if (!fs.existsSync(sourceDir)) return false;
  const built = Math.min(...WEB_BUNDLE_FILES.map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
  const newest = (folder: string): number =>
    Math.max(
      0,
      ...fs.readdirSync(folder, { withFileTypes: true }).map((e) => {
        const full = path.join(folder, e.name);
        return e.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs;
      }),
    );
  return newest(sourceDir) > built;
}

export async function buildWeb(outDir = WEB_BUNDLE_DIR): Promise<{ outDir: string; bytes: Record<string, number> }> {
  // Loaded lazily: the server only needs esbuild when the bundle is missing.
  const esbuild = await import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: path.join(WEB_SOURCE_DIR, 'main.ts') },
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    outdir: outDir,
    tsconfig: path.join(ROOT, 'tsconfig.web.json'),
    logLevel: 'silent',
    legalComments: 'linked',
  });
  fs.copyFileSync(path.join(WEB_SOURCE_DIR, 'index.html'), path.join(outDir, 'index.html'));
  fs.copyFileSync(path.join(WEB_SOURCE_DIR, 'icon.svg'), path.join(outDir, 'icon.svg'));
  const bytes: Record<string, number> = {};
  for (const f of WEB_BUNDLE_FILES) bytes[f] = fs.statSync(path.join(outDir, f)).size;
  return { outDir, bytes };
}

// `node bin/run-ts.js src/web/build.ts [OUT_DIR]`
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { outDir, bytes } = await buildWeb(process.argv[2] ? path.resolve(process.argv[2]) : WEB_BUNDLE_DIR);
  const sizes = Object.entries(bytes)
    .map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KiB`)
    .join(', ');
  process.stdout.write(`dashboard built in ${path.relative(process.cwd(), outDir) || '.'}: ${sizes}\n`);
}
