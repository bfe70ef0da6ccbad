import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Every @tensorloom/* import resolves to the package's source, so tests need no build step.
const packages = ['tensor'];
const alias = Object.fromEntries(
  packages.map((name) => [
    `@tensorloom/${name}`,
    fileURLToPath(new URL(`packages/${name}/src/index.ts`, import.meta.url)),
  ]),
);

export default defineConfig({
  // Packages run this config from their own folder; paths below are relative to the repo root.
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias },
  test: {
    projects: packages.map((name) => ({
      extends: true,
      test: {
        name,
        include: [`packages/${name}/test/**/*.test.ts`],
        setupFiles: [fileURLToPath(new URL('tools/test-setup.ts', import.meta.url))],
      },
    })),
  },
});
