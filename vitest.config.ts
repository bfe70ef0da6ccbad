import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Every @tensorloom/* import resolves to the package's source, so tests need no build step.
const packages = ['tensor', 'nn', 'nn-rnn', 'nn-attention', 'losses', 'optim', 'positional'];
const backends = ['js', 'wasm'];
// Tests run in Node, so @tensorloom/tensor resolves as its package.json `node` condition does: to the entry
// that also starts worker threads.
const entries: Record<string, string> = { tensor: 'platform/node.ts' };
const alias = [
  { find: /^@tensorloom\/nn\/node$/, replacement: fromRoot('packages/nn/src/node.ts') },
  ...packages.map((name) => ({
    find: new RegExp(`^@tensorloom/${name}$`),
    replacement: fromRoot(`packages/${name}/src/${entries[name] ?? 'index.ts'}`),
  })),
];

export default defineConfig({
  // Packages run this config from their own folder; paths below are relative to the repo root.
  root: fromRoot('.'),
  resolve: { alias },
  test: {
    // A timeout is for a hung test, not a slow one: the heaviest kernel checks take about a second alone and were
    // seen at 6 s under CI, where turbo runs every package's tests at once on two busy cores.
    testTimeout: 30_000,
    // Every package's tests run once per backend: `tensor` on the portable kernels, `tensor:wasm` on the
    // WebAssembly ones (TENSORLOOM_BACKEND picks the backend when the tensor package loads).
    projects: [
      ...packages.flatMap((name) =>
        backends.map((backend) => ({
          extends: true,
          test: {
            name: backend === 'js' ? name : `${name}:${backend}`,
            include: [`packages/${name}/test/**/*.test.ts`],
            setupFiles: [fromRoot('tools/test-setup.ts')],
            env: { TENSORLOOM_BACKEND: backend },
          },
        })),
      ),
      // The translator app's tests (data, tokenizers, metrics, plots) run once, on the default backend.
      {
        extends: true,
        test: {
          name: 'translator',
          include: ['apps/translator/test/**/*.test.ts'],
          setupFiles: [fromRoot('tools/test-setup.ts')],
          // Its overfitting, resume and browser tests train real models for seconds: give a loaded CI machine room.
          testTimeout: 60_000,
        },
      },
    ],
  },
});
