import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// Waits until the WASM has hydrated the page (set only by client code).
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

// No accessibility violations (axe-core's rules) on the page as it is now.
export async function accessible(page: Page) {
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
}

// Signs in through the form (works with and without JavaScript).
export async function signIn(page: Page, login: string, password = 'laurel-demo') {
  await page.goto('/users/sign_in');
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('.user-link')).toContainText(login);
}

// The admin token the suite's server is started with (playwright.config.ts).
export const ROOT_TOKEN = 'root-token-for-e2e-0123456789';

// Opens the account menu in the top bar (profile, edit profile, admin, language, sign out).
export async function openAccountMenu(page: Page) {
  const menu = page.locator('details.account-menu');
  if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await menu.locator('summary', { hasText: 'Account menu' }).click();
  }
  await expect(menu).toHaveAttribute('open', '');
}
