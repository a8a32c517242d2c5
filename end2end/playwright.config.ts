import { defineConfig, devices } from '@playwright/test';

const webPort = process.env.E2E_WEB_PORT ?? '7000';
const apiPort = process.env.E2E_API_PORT ?? '8000';

/**
 * End-to-end tests of the dadashop SPA against the real server.
 *
 * `scripts/e2e-server.sh` starts `dadashop serve` with a fresh temporary SQLite database and
 * the demo catalog: the API on 127.0.0.1:8000, the SPA (from dist/, so run
 * `bash scripts/build-spa.sh` first) on 127.0.0.1:7000 (E2E_API_PORT and E2E_WEB_PORT move them). The browser is Debian's Chromium: these
 * machines cannot download Playwright's own build.
 */
export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${webPort}`,
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: 'bash ../scripts/e2e-server.sh',
    url: `http://127.0.0.1:${apiPort}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    // SIGTERM first (Playwright's default is SIGKILL), so that scripts/e2e-server.sh stops
    // the shop and the fakes and removes its temporary database and settings file.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    // The server's request log is noise unless something fails: E2E_SERVER_LOG=1 shows it.
    stdout: process.env.E2E_SERVER_LOG ? 'pipe' : 'ignore',
    stderr: 'pipe',
  },
});
