import { test, expect, Page } from '@playwright/test';
import { accessible, hydrated, signIn } from './helpers';

const DASHBOARD = '/groups/heroes/-/achievements';

// A real 2x2 PNG (the server decodes every avatar).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

function card(page: Page, name: string) {
  return page.locator('.achievement-card', { has: page.getByRole('heading', { name }) });
}

test('a maintainer creates an achievement with an avatar and awards it twice', async ({ page, browser }) => {
  // The longest journey (a dialog, an upload, two awards, a visitor, axe three times): ~25 s alone, more beside the cargo tests.
  test.setTimeout(90_000);
  await signIn(page, 'bob');
  await page.goto(DASHBOARD);
  await hydrated(page);
  await accessible(page);
  // Create opens a dialog, focus on its first field; Escape closes it.
  const dialog = page.getByRole('dialog', { name: 'New achievement' });
  await page.locator('.new-achievement summary').click();
  await expect(dialog).toBeVisible();
  const form = page.locator('.new-achievement form');
  await expect(form.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.locator('.new-achievement summary')).toBeFocused();
  await page.locator('.new-achievement summary').click();
  await form.getByLabel('Name').fill('Night owl');
  await form.getByLabel('Description').fill('Merged something after midnight.');
  // The card's preview follows the fields as they are typed: name, text, emblem.
  const preview = form.locator('.card-preview');
  await expect(preview).toContainText('Night owl');
  await expect(preview).toContainText('Merged something after midnight.');
  await expect(preview.locator('svg.emblem')).toHaveAttribute('data-emblem', /-NO$/);
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/achievement-dialog.png' });
  // The browser checks type and size first; the server still decodes.
  await form.getByLabel('Avatar').setInputFiles({ name: 'owl.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg/>') });
  await expect(form.getByRole('alert')).toContainText('Avatar file format is not supported');
  await form.getByLabel('Avatar').setInputFiles({ name: 'owl.png', mimeType: 'image/png', buffer: PNG });
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(form.locator('img.achievement-avatar')).toBeVisible();
  await form.getByRole('button', { name: 'Create' }).click();
  // A toast says what happened (a polite live region); `done` leaves the address.
  const toast = page.getByRole('status').filter({ hasText: 'Achievement created.' });
  await expect(toast).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${DASHBOARD}$`));
  await accessible(page);
  await toast.getByRole('link', { name: 'Dismiss' }).click();
  await expect(toast).toHaveCount(0);
  const owl = card(page, 'Night owl');
  await expect(owl).toBeVisible();
  await expect(owl.locator('.card-head img.achievement-avatar')).toHaveAttribute('src', /\/uploads\/-\/system\/achievements\/achievement\/avatar\//);
  await expect(owl).toContainText('Not yet awarded');
  // Edit and Delete wait in the card's one "more actions" menu.
  await owl.locator('details.card-menu > summary', { hasText: 'More actions for Night owl' }).click();
  await owl.locator('.card-menu-panel > details.manage').first().locator('summary').click();
  await owl.locator('.card-menu-panel form').first().getByLabel('Description').fill('Merged something after 2 a.m.');
  await owl.locator('.card-menu-panel form').first().getByRole('button', { name: 'Save' }).click();
  await expect(card(page, 'Night owl')).toContainText('Merged something after 2 a.m.');

  for (const round of [1, 2]) {
    await card(page, 'Night owl').locator('details.manage', { hasText: 'Award' }).first().locator('summary').click();
    const award = card(page, 'Night owl').locator('.award-form');
    await award.getByLabel('Usernames (separated by commas)').fill('grace');
    await award.getByLabel('Message (optional)').fill(`Round ${round}`);
    await award.getByRole('button', { name: 'Award' }).click();
    await expect(card(page, 'Night owl')).toContainText(`Awards: ${round}`);
    await expect(page.getByRole('status').filter({ hasText: 'Achievement awarded.' })).toBeVisible();
  }
  await expect(card(page, 'Night owl').locator('.faces a')).toHaveAttribute('href', '/grace');
  // One holder among the group's five members: 20%, uncommon.
  await expect(card(page, 'Night owl').locator('.rarity')).toHaveText('Uncommon');
  await expect(card(page, 'Night owl').locator('.rarity-line')).toContainText('Held by 1 member, 20%');
  await page.screenshot({ path: '../public/screenshots/group-dashboard.png', fullPage: true });

  // The recipient's profile shows it twice, as 2x.
  const visitor = await browser.newContext();
  const profile = await visitor.newPage();
  await profile.goto('/grace');
  const badge = profile.locator('.achievement', { hasText: 'Night owl' });
  await expect(badge.locator('.badge')).toHaveText('2x');
  // With the uploaded avatar, decoded and served back, and the newest award's
  // date in words, the exact moment on hover; keyboard focus shows it too.
  const icon = badge.locator('img.achievement-icon');
  await expect(icon).toHaveAttribute('src', /\/uploads\/-\/system\/achievements\/achievement\/avatar\//);
  expect(await icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);
  await badge.focus();
  const when = badge.locator('.achievement-detail time');
  await expect(when).toBeVisible();
  await expect(when).toHaveText(/^(just now|\d+ minutes? ago)$/);
  await expect(when).toHaveAttribute('title', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await expect(badge.locator('.achievement-detail')).toContainText('Awarded');
  await expect(badge.locator('.achievement-detail blockquote')).toHaveCount(2);
  await expect(badge.locator('.achievement-detail')).toContainText('Round 1');
  await expect(badge.locator('.achievement-detail')).toContainText('Round 2');
  // How widely it is held in its group, as on the dashboard.
  await expect(badge.locator('.achievement-detail')).toContainText('Held by 1 member, 20%');

  // The award history, one disclosure per card: revoking one leaves one.
  await card(page, 'Night owl').locator('details.history summary').click();
  await expect(card(page, 'Night owl').locator('.holders li')).toHaveCount(2);
  await card(page, 'Night owl').locator('.holders li').first().getByRole('button', { name: 'Revoke' }).click();
  await expect(card(page, 'Night owl')).toContainText('Awards: 1');
  await expect(page.getByRole('status').filter({ hasText: 'Award revoked.' })).toBeVisible();
  await profile.reload();
  await expect(profile.locator('.achievement', { hasText: 'Night owl' })).toBeVisible();
  await expect(profile.locator('.achievement', { hasText: 'Night owl' }).locator('.badge')).toHaveCount(0);
  await visitor.close();
});

test('search narrows the list, and a bad avatar is refused by the server too', async ({ page }) => {
  await signIn(page, 'bob');
  await page.goto(`${DASHBOARD}?search=month`);
  await expect(page.locator('.achievement-card')).toHaveCount(1);
  await expect(card(page, 'Contributor of the month')).toBeVisible();
  await page.goto(DASHBOARD);
  await page.locator('.new-achievement summary').click();
  const form = page.locator('.new-achievement form');
  await form.getByLabel('Name').fill('Fake image');
  // Named .png, but not a PNG: only the server's decoding can tell.
  await page.evaluate(() => {
    const input = document.querySelector('.new-achievement input[type=file]') as HTMLInputElement;
    const file = new File(['not an image at all'], 'fake.png', { type: 'image/png' });
    const list = new DataTransfer();
    list.items.add(file);
    input.files = list.files;
  });
  await form.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('alert')).toContainText('Avatar file format is not supported');
  await expect(card(page, 'Fake image')).toHaveCount(0);
});

test('people who are not Maintainers see no management controls', async ({ page }) => {
  await page.goto(DASHBOARD);
  await hydrated(page);
  await expect(card(page, 'Contributor of the month')).toBeVisible();
  await expect(page.locator('.new-achievement')).toHaveCount(0);
  await expect(page.locator('details.manage')).toHaveCount(0);
  await signIn(page, 'carol');
  await page.goto(DASHBOARD);
  await expect(card(page, 'Contributor of the month')).toBeVisible();
  await expect(page.locator('.new-achievement')).toHaveCount(0);
  await expect(page.locator('details.manage')).toHaveCount(0);
  await accessible(page);
});

test('awarding works with JavaScript disabled, and the dashboard speaks Korean', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'alice');
  await page.goto(DASHBOARD);
  const first = card(page, 'First merge request');
  const before = await first.locator('.holders li').count();
  await first.locator('details.manage', { hasText: 'Award' }).first().locator('summary').click();
  await first.locator('.award-form').getByLabel('Usernames (separated by commas)').fill('erin, grace');
  await first.locator('.award-form').getByRole('button', { name: 'Award' }).click();
  await expect(card(page, 'First merge request').locator('.holders li')).toHaveCount(before + 2);
  await context.close();

  const korean = await browser.newContext({ locale: 'ko-KR', extraHTTPHeaders: { 'Accept-Language': 'ko' } });
  const ko = await korean.newPage();
  await ko.goto(DASHBOARD);
  await expect(ko.getByRole('heading', { level: 1 })).toHaveText('Laurel Heroes의 성취');
  await ko.screenshot({ path: '../public/screenshots/group-dashboard-ko.png' });
  await korean.close();
});
