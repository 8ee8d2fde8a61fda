import { defineConfig } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';

// The suite starts its own release server on a fresh SQLite database with demo data.
const port = Number(process.env.E2E_PORT ?? 3917);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'laurel-e2e-'));

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // The binary `make test` built (LAUREL_SERVER_BIN), or a release build.
    command: `./${process.env.LAUREL_SERVER_BIN ?? 'target/release/server'}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/-/health`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      LEPTOS_ENV: 'PROD',
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dataDir}/laurel.db`,
      DATA_DIR: dataDir,
      DEMO_DATA: '1',
      INITIAL_ROOT_PASSWORD: 'root-password-e2e',
      INITIAL_ROOT_TOKEN: 'root-token-for-e2e-0123456789',
    },
  },
});
