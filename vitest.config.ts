import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/sidecar.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The docker image built and the compose sidecar example run for real with podman
        // (bash test/support/podman/setup.sh prepares a machine once; minutes, not seconds).
        test: {
          name: 'sidecar',
          include: ['test/integration/sidecar.test.ts'],
          env: { CTMPL_SIDECAR_TEST: '1' },
          testTimeout: 180_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
