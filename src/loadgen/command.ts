/** The `bench-stratum` CLI command: options in, report out (text or JSON on stdout). */
import { runLoadgen } from './coordinator.js';
import { parseLoadgenOptions, type RawOptions } from './options.js';
import { formatReport } from './report.js';

export async function runBenchStratumCommand(raw: RawOptions): Promise<void> {
  const opts = parseLoadgenOptions(raw);
  const report = await runLoadgen(opts);
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
}
