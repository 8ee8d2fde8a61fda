import { test, expect } from '@playwright/test';
import { accessible, signIn, ROOT_TOKEN } from './helpers';

const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
let achievement: number;

// A fresh achievement awarded to carol for each run, deleted after.
test.beforeEach(async ({ request }) => {
  const made = await request.post('/api/v4/groups/heroes/achievements', {
    headers,
    data: { name: 'Portable honour', description: 'Taken anywhere' },
  });
  expect(made.status()).toBe(201);
  achievement = (await made.json()).id;
  const given = await request.post(`/api/v4/groups/heroes/achievements/${achievement}/awards`, {
    headers,
    data: { username: 'carol' },
  });
  expect(given.status()).toBe(201);
});
test.afterEach(async ({ request }) => {
  await request.delete(`/api/v4/groups/heroes/achievements/${achievement}`, { headers });
});

// carol downloads her award as a baked badge from her profile editor; a
// stranger (signed out) uploads it to the verification page, which says it is
// valid, by whom and to whom; the credential pasted says the same; once the
// award is revoked the page says so.
test('a downloaded badge is verified on the public verification page', async ({ page, request, browser }) => {
  await signIn(page, 'carol');
  await page.goto('/-/profile');
  const row = page.locator('.portable-list li', { hasText: 'Portable honour' });
  await expect(row).toBeVisible();
  await accessible(page);
  await page.locator('section.portable').screenshot({ path: '../public/screenshots/portable.png' });
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: 'Badge (PNG)' }).click(),
  ]);
  expect(png.suggestedFilename()).toBe('Portable_honour.png');
  const badge = Buffer.concat(await (await png.createReadStream()).toArray());
  expect(badge.subarray(1, 4).toString()).toBe('PNG');
  const [jwtFile] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: 'Credential', exact: true }).click(),
  ]);
  const jwt = Buffer.concat(await (await jwtFile.createReadStream()).toArray()).toString();
  expect(jwt.split('.')).toHaveLength(3);

  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto('/-/verify');
  await expect(stranger.getByRole('heading', { level: 1 })).toHaveText('Verify an achievement');
  await accessible(stranger);
  await stranger.getByLabel('Or a baked badge image').setInputFiles({ name: 'badge.png', mimeType: 'image/png', buffer: badge });
  await stranger.getByRole('button', { name: 'Verify' }).click();
  const verdict = stranger.locator('.verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'valid');
  await expect(verdict).toContainText('Valid: “Portable honour”, awarded to carol by Laurel Heroes on');
  await expect(verdict.locator('li.held')).toHaveCount(5);
  await accessible(stranger);
  await stranger.screenshot({ path: '../public/screenshots/verify.png', fullPage: true });

  // The credential itself, pasted, after the award was taken back.
  const awards = await (await request.get(`/api/v4/groups/heroes/achievements/${achievement}/awards`, { headers })).json();
  const revoked = await request.post(`/api/v4/user_achievements/${awards[0].id}/revoke`, { headers });
  expect(revoked.status()).toBe(201);
  await stranger.goto('/-/verify');
  await stranger.getByLabel('Credential (a signed JWT)').fill(jwt);
  await stranger.getByRole('button', { name: 'Verify' }).click();
  await expect(verdict).toHaveAttribute('data-verdict', 'revoked');
  await expect(verdict.locator('li.failed')).toHaveText(/Revoked by its issuer/);
  await accessible(stranger);
});
