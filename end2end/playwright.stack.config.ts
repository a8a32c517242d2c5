import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * The same suite against the production shape of scripts/stack.sh: nginx's one-origin
 * server on 127.0.0.1:8080 serves the SPA and proxies /v1/ to the API processes, so the web
 * and API origins are one. The stack is already running (nothing is started here);
 * scripts/stack-test.sh `e2e` sets the ports the fixtures read:
 *
 *   E2E_WEB_PORT=8080 E2E_API_PORT=8080 E2E_WEIBO_PORT=19100 E2E_SMS_PORT=19200 \
 *   E2E_SMTP_PORT=19300 E2E_SMTP_HTTP_PORT=19301 E2E_ALIPAY_PORT=19400 \
 *   npx playwright test -c playwright.stack.config.ts
 *
 * and writes the settings file of the `dadashop()` fixture (the stack's env).
 *
 * Product and catalog pages come from the API processes' web origin through nginx
 * (deploy/nginx/dadashop-pages.inc), so an unknown product answers 404 here too.
 */
const webPort = process.env.E2E_WEB_PORT ?? '8080';

export default defineConfig({
  ...base,
  webServer: undefined,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report-stack' }]],
  outputDir: 'test-results-stack',
  use: {
    ...base.use,
    baseURL: `http://127.0.0.1:${webPort}`,
  },
});
