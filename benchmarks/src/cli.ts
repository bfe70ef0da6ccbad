// Command line: `tsx src/main.ts [matmul] [elementwise] [mlp] [lstm] [transformer] [--runs N] [--sizes 64,128] [--no-torch] [--interleave]`.
import { defaultTiming, type TimingOptions } from './timing.js';

export const SUITES = ['matmul', 'elementwise', 'mlp', 'lstm', 'transformer'] as const;
export type Suite = (typeof SUITES)[number];

export interface Options {
  suites: Suite[];
  sizes: number[];
  timing: TimingOptions;
  torch: boolean;
  /** Sample PyTorch in the same rounds as the JS contenders (mlp, lstm, transformer) instead of after them. */
  interleave: boolean;
}

export const USAGE = `usage: pnpm bench [-- [matmul] [elementwise] [mlp] [lstm] [transformer] [--runs N] [--sizes 64,128,...] [--no-torch] [--interleave]]
  matmul        fp32 matmul GFLOPS (A·B, A·Bᵀ, Aᵀ·B) for each size
  elementwise   add, broadcast add and softmax on [1024, 1024], GB/s; add on [32, 256], ops/s
  mlp           one MLP training step (784→256→10, batch 64, Adam), ms; Tensorloom wasm and torch at 1 and
                2 threads
  lstm          LSTM forward + backward (T 20, batch 32, 128→256; also 2 layers bidirectional), ms;
                Tensorloom wasm and torch at 1 and 2 threads; TF.js cpu always 5 samples (≈ 3–4 min in all)
  transformer   Transformer encoder layer forward + backward (batch 32, seq 32, d_model 256, 4 heads,
                ff 1024), ms; Tensorloom wasm and torch at 1 and 2 threads; TF.js cpu always 5 samples;
                then greedy decoding of 32 tokens with and without the KV cache (≈ 2 min in all)
  --runs N      timed samples per measurement, median reported (default ${defaultTiming.runs}, minimum 5)
  --sizes LIST  matmul sizes (default 64,128,256,512,1024)
  --no-torch    skip the PyTorch column
  --interleave  mlp, lstm, transformer: sample PyTorch in turn with the JS contenders, not after them`;

export function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    suites: [],
    sizes: [64, 128, 256, 512, 1024],
    timing: { ...defaultTiming },
    torch: true,
    interleave: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--') continue; // pnpm/turbo may pass it through
    if (arg === '-h' || arg === '--help') throw new Error('help');
    if (arg === '--no-torch') opts.torch = false;
    else if (arg === '--interleave') opts.interleave = true;
    else if (arg === '--runs') {
      const runs = Number(value());
      if (!Number.isInteger(runs) || runs < 5) throw new Error('--runs must be an integer >= 5');
      opts.timing.runs = runs;
    } else if (arg === '--sizes') {
      opts.sizes = value().split(',').map(Number);
      if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1))
        throw new Error('--sizes must list positive integers');
    } else if ((SUITES as readonly string[]).includes(arg)) {
      if (!opts.suites.includes(arg as Suite)) opts.suites.push(arg as Suite);
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (opts.suites.length === 0) opts.suites = [...SUITES];
  return opts;
}
