import { test, expect } from '@playwright/test';
import { accessible, signIn, ROOT_TOKEN } from './helpers';

// A user of its own, so changing the password touches no other journey.
async function newUser(request: any, username: string, password: string): Promise<number> {
  const made = await request.post('/api/v4/users', {
    headers: { 'PRIVATE-TOKEN': ROOT_TOKEN },
    data: { username, name: `Name ${username}`, email: `${username}@example.com`, password },
  });
  expect(made.status()).toBe(201);
  return (await made.json()).id;
}

test('the profile editor sends visitors to sign in and back', async ({ page, request }) => {
  await newUser(request, 'wanderer', 'wanderer-pass-1');
  const response = await page.goto('/-/profile');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/users\/sign_in\?next=\/-\/profile$/);
  await page.getByLabel('Username or email').fill('wanderer');
  await page.getByLabel('Password').fill('wanderer-pass-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/-\/profile$/);
  await expect(page.getByRole('heading', { name: 'Access tokens' })).toBeVisible();
});

test('people list and revoke their tokens, and change their password with the current one', async ({ page, request, browser }) => {
  const id = await newUser(request, 'keyholder', 'keyholder-pass-1');
  const made = await request.post(`/api/v4/users/${id}/personal_access_tokens`, {
    headers: { 'PRIVATE-TOKEN': ROOT_TOKEN },
    data: { name: 'laptop', scopes: ['read_api'] },
  });
  const secret = (await made.json()).token as string;
  expect((await request.get('/api/v4/user', { headers: { 'PRIVATE-TOKEN': secret } })).status()).toBe(200);

  await signIn(page, 'keyholder', 'keyholder-pass-1');
  await page.goto('/-/profile');
  const row = page.locator('table.tokens tr', { hasText: 'laptop' });
  await expect(row).toContainText('read_api');
  await expect(row).toContainText('Active');
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/profile-security.png', fullPage: true });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The token was revoked.' })).toBeVisible();
  await expect(page.locator('table.tokens tr', { hasText: 'laptop' })).toContainText('Revoked or expired');
  expect((await request.get('/api/v4/user', { headers: { 'PRIVATE-TOKEN': secret } })).status()).toBe(401);

  // A wrong current password changes nothing.
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password').fill('brand-new-pass-2');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#password [role="alert"]')).toContainText('The password was not changed');
  await page.getByLabel('Current password').fill('keyholder-pass-1');
  await page.getByLabel('New password').fill('brand-new-pass-2');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
  // This session stays; the old password no longer signs in, the new one does.
  await page.goto('/-/profile');
  await expect(page.getByRole('heading', { name: 'Password' })).toBeVisible();
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto('/users/sign_in');
  await second.getByLabel('Username or email').fill('keyholder');
  await second.getByLabel('Password').fill('keyholder-pass-1');
  await second.getByRole('button', { name: 'Sign in' }).click();
  await expect(second.getByRole('alert')).toBeVisible();
  await signIn(second, 'keyholder', 'brand-new-pass-2');
  await other.close();
});
