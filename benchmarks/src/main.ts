// Entry point of `pnpm bench`: sets up every contender, runs the chosen suites, prints the tables.
import { loadavg } from 'node:os';
import { type Options, parseArgs, USAGE } from './cli.js';
import { runElementwise, runOverhead } from './elementwise.js';
import { header } from './header.js';
import { runLstm } from './lstm.js';
import { MATMUL_OPS, runMatmul } from './matmul.js';
import { runMlp } from './mlp.js';
import { type Context, renderSuite, type TorchState } from './suite.js';
import { loadTensorloom } from './tensorloom.js';
import { setupTf } from './tfjs.js';
import { PYTHON, probeTorch } from './torch.js';
import { runTransformer } from './transformer.js';

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);

function torchState(opts: Options): TorchState {
  if (!opts.torch) return { ok: false, error: 'skipped (--no-torch)', cell: 'n/a (skipped)' };
  const probe = probeTorch();
  return 'info' in probe
    ? { ok: true, info: probe.info }
    : { ok: false, error: probe.error, cell: 'n/a (no torch)' };
}

async function main(opts: Options): Promise<void> {
  const tl = await loadTensorloom();
  const tfInfo = await setupTf();
  const torch = torchState(opts);
  const top = header(tl, tfInfo, torch, opts.timing); // taken now: date and load at the start

  const ctx: Context = { timing: opts.timing, tl, tf: tfInfo, torch, interleave: opts.interleave, progress };
  const sections: string[] = [];
  if (opts.suites.includes('matmul')) {
    sections.push(renderSuite(await runMatmul(ctx, opts.sizes, MATMUL_OPS)));
  }
  if (opts.suites.includes('elementwise')) {
    sections.push(renderSuite(await runElementwise(ctx, [1024, 1024], ['add', 'add-broadcast', 'softmax'])));
    sections.push(renderSuite(await runOverhead(ctx, [32, 256])));
  }
  if (opts.suites.includes('mlp')) sections.push(await runMlp(ctx));
  if (opts.suites.includes('lstm')) sections.push(await runLstm(ctx));
  if (opts.suites.includes('transformer')) sections.push(await runTransformer(ctx));

  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const throughput = opts.suites.some((s) => s === 'matmul' || s === 'elementwise');
  const footer = [
    ...(throughput
      ? [
          'Columns: median throughput per contender (higher is better); "TL vs X" = Tensorloom / X, measured in this run.',
          'plain loop = hand-written Float32Array loops (the anchor).',
        ]
      : []),
    ...(opts.suites.includes('mlp')
      ? [
          'mlp: median ms per step (lower is better); "TL x ÷ torch n thr" = Tensorloom time / PyTorch time at the same thread count (Tensorloom wasm at 1 and 2).',
        ]
      : []),
    ...(opts.suites.includes('lstm')
      ? [
          "lstm: median ms per step (lower is better); ratios = Tensorloom time / the other contender's (torch's at the same thread count).",
        ]
      : []),
    ...(opts.suites.includes('transformer')
      ? [
          "transformer: median ms per step or per decoded sequence (lower is better); ratios = the row's time / the other contender's.",
        ]
      : []),
    ...(torch.ok
      ? [
          `torch = PyTorch in a ${PYTHON} subprocess, 1 thread (mlp, lstm, transformer: also 2, OpenMP OpenBLAS), timed after the JS contenders${opts.interleave ? ' (mlp, lstm, transformer: --interleave, in turn with them)' : ''}.`,
        ]
      : []),
    ...(tl.ok ? [] : [`Tensorloom column is empty: @tensorloom/tensor ${tl.error}.`]),
    ...(tfInfo.wasmError === null ? [] : [`TF.js wasm column is empty: ${tfInfo.wasmError}`]),
    ...(torch.ok ? [] : [`torch column is empty: ${torch.error}`]),
    `Finished ${new Date().toISOString()}, load avg ${load}.`,
  ];
  console.log(['', top, '', sections.join('\n\n'), '', footer.join('\n')].join('\n'));
}

let opts: Options;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  const help = err instanceof Error && err.message === 'help';
  if (!help) console.error(err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exit(help ? 0 : 2);
}
// Catch here: the wasm backend's Emscripten glue rethrows uncaught errors with its whole minified source.
main(opts).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
