import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

/** The API origin the e2e server listens on (scripts/e2e-server.sh; E2E_API_PORT moves it). */
export const API = `http://127.0.0.1:${process.env.E2E_API_PORT ?? '8000'}`;

/** The SPA's origin (E2E_WEB_PORT moves it). */
export const WEB = `http://127.0.0.1:${process.env.E2E_WEB_PORT ?? '7000'}`;

/** The fake Ronglian SMS provider's origin (E2E_SMS_PORT moves it). */
export const SMS = `http://127.0.0.1:${process.env.E2E_SMS_PORT ?? '9200'}`;

/** The JSON view of the SMTP capture server (E2E_SMTP_HTTP_PORT moves it). */
export const MAIL = `http://127.0.0.1:${process.env.E2E_SMTP_HTTP_PORT ?? '9301'}`;

/** The fake Weibo provider's origin (E2E_WEIBO_PORT moves it). */
export const WEIBO = `http://127.0.0.1:${process.env.E2E_WEIBO_PORT ?? '9100'}`;

/** The fake Alipay gateway's origin (E2E_ALIPAY_PORT moves it). */
export const ALIPAY = `http://127.0.0.1:${process.env.E2E_ALIPAY_PORT ?? '9400'}`;

/**
 * Runs a `dadashop` command (e.g. `orders ship <id>`) against the e2e shop's database, with
 * the settings scripts/e2e-server.sh wrote for this API port; answers its standard output.
 */
export async function dadashop(...args: string[]): Promise<string> {
  const settings = join(tmpdir(), `dadashop-e2e-${process.env.E2E_API_PORT ?? '8000'}.env`);
  const { stdout } = await promisify(execFile)('bash', [
    '-c',
    '. "$0" && exec "$DADASHOP_BIN" "$@"',
    settings,
    ...args,
  ]);
  return stdout;
}

/**
 * Fails a test on any uncaught page error (a broken wasm module otherwise shows only as an empty
 * page) and on any console error or warning that the test did not declare as expected: every
 * page must load with a clean console.
 */
export class ErrorWatch {
  private readonly allowed: RegExp[] = [];
  private readonly errors: string[] = [];

  /** Console errors or warnings matching one of `patterns` are expected in this test. */
  allow(...patterns: RegExp[]): void {
    this.allowed.push(...patterns);
  }

  /** Watches a page (the fixture's page is watched already; call it for extra pages). */
  attach(page: Page): void {
    page.on('pageerror', (error) => this.errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        this.errors.push(`console.${message.type()}: ${message.text()}`);
      }
    });
  }

  /** Errors that no `allow` pattern covers. */
  unexpected(): string[] {
    return this.errors.filter((text) => !this.allowed.some((pattern) => pattern.test(text)));
  }
}

/** Chromium's console line for an HTTP error answer, e.g. an expected 401. */
export const httpStatus = (status: number): RegExp =>
  new RegExp(`Failed to load resource: the server responded with a status of ${status}\\b`);

export const test = base.extend<{ errors: ErrorWatch }>({
  errors: [
    async ({ page }, use) => {
      const watch = new ErrorWatch();
      watch.attach(page);
      await use(watch);
      expect(watch.unexpected(), 'page errors and unexpected console errors or warnings').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** A shopper who does not exist yet. */
export interface Shopper {
  username: string;
  password: string;
  phone: string;
  email: string;
}

let counter = 0;

/** A fresh shopper with a unique username (at most 11 word characters) and phone. */
export function newShopper(): Shopper {
  counter += 1;
  const stamp = (Date.now() % 1_000_000_000).toString(36); // up to 6 characters
  const username = `e2e${stamp}${counter.toString(36)}`.slice(0, 11);
  const digits = `${Date.now()}${counter}`.slice(-9).padStart(9, '0');
  return {
    username,
    password: `pw-${username}-secret`,
    phone: `13${digits}`,
    email: `${username}@example.com`,
  };
}

/** The SMS codes the fake Ronglian provider received for `phone`, oldest first. */
export async function smsCodes(request: APIRequestContext, phone: string): Promise<string[]> {
  const response = await request.get(`${SMS}/_fake/messages?to=${phone}`);
  expect(response.status()).toBe(200);
  const messages: { datas: string[] }[] = await response.json();
  return messages.map((m) => m.datas[0]);
}

/**
 * Waits until the fake SMS provider holds `count` codes for `phone`; returns the last. Up to
 * 30 s: in the production shape the code goes through Redis to the worker process, which the
 * stack's failure checks have just restarted, failed over and backed off.
 */
export async function waitForSmsCode(request: APIRequestContext, phone: string, count = 1): Promise<string> {
  let codes: string[] = [];
  await expect
    .poll(
      async () => {
        codes = await smsCodes(request, phone);
        return codes.length;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThanOrEqual(count);
  return codes[codes.length - 1];
}

/** A mail as the SMTP capture server decoded it. */
export interface CapturedMail {
  subject: string;
  text: string;
  html: string;
}

/** Waits until the SMTP capture server holds `count` mails to `to`; returns them. */
export async function waitForMail(request: APIRequestContext, to: string, count = 1): Promise<CapturedMail[]> {
  let mails: CapturedMail[] = [];
  await expect
    .poll(async () => {
      const response = await request.get(`${MAIL}/messages?to=${encodeURIComponent(to)}`);
      mails = await response.json();
      return mails.length;
    })
    .toBeGreaterThanOrEqual(count);
  return mails;
}

/**
 * Registers `shopper` straight through the API (setup for tests about other things), with
 * the SMS code really sent to the fake provider: registration requires it.
 */
export async function registerViaApi(request: APIRequestContext, shopper: Shopper): Promise<void> {
  const sent = await request.post(`${API}/v1/users/sms/code`, { data: { phone: shopper.phone } });
  expect(sent.status(), await sent.text()).toBe(200);
  const verify = await waitForSmsCode(request, shopper.phone);
  const response = await request.post(`${API}/v1/users`, {
    data: {
      uname: shopper.username,
      password: shopper.password,
      password2: shopper.password,
      phone: shopper.phone,
      email: shopper.email,
      verify,
    },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** A console account. */
export interface Operator {
  username: string;
  password: string;
}

let operators = 0;

/**
 * Creates a console account with `role` (superuser, catalog, orders, finance, readonly):
 * `dadashop admin create <name> --role <role>`, the password written twice on its standard
 * input, run with the settings scripts/e2e-server.sh wrote for this API port.
 */
export async function createOperator(role: string): Promise<Operator> {
  operators += 1;
  const stamp = (Date.now() % 1_000_000_000).toString(36);
  const username = `op${stamp}${operators.toString(36)}`.slice(0, 11);
  const password = `pw-${username}-console`;
  const settings = join(tmpdir(), `dadashop-e2e-${process.env.E2E_API_PORT ?? '8000'}.env`);
  const args = ['admin', 'create', username, '--role', role];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-c', '. "$0" && exec "$DADASHOP_BIN" "$@"', settings, ...args]);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`dadashop ${args.join(' ')} ended with ${code}: ${output}`)),
    );
    child.stdin.end(`${password}\n${password}\n`);
  });
  return { username, password };
}

/** The console's login form, at whatever console path the page shows. */
export async function logInToConsole(page: Page, operator: Operator): Promise<void> {
  await expect(page.getByRole('heading', { name: '运营后台登录' })).toBeVisible();
  await page.getByLabel('用户名', { exact: true }).fill(operator.username);
  await page.getByLabel('密码', { exact: true }).fill(operator.password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect(page.getByTestId('operator')).toHaveText(operator.username);
}
