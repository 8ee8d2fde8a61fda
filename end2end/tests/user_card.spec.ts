import { test, expect } from '@playwright/test';
import { accessible, ROOT_TOKEN } from './helpers';

const ISSUE = '/heroes/website/-/issues/1';

// carol comments on an issue; the names on it carry their top achievement,
// and a user card opens with the mouse, with the keyboard (described to
// screen readers) and with a tap.
test('a user card opens on hover and on keyboard focus, and closes with Escape', async ({ page, request }) => {
  const headers = { 'PRIVATE-TOKEN': ROOT_TOKEN };
  const made = await request.post('/api/v4/projects/1/issues/1/notes', {
    headers,
    data: { body: 'Thanks to everyone who reviewed this.' },
  });
  expect(made.status()).toBe(201);
  await page.goto(ISSUE);
  const author = page.locator('.item-head a[data-user-card]');
  await expect(author).toBeVisible();
  // The icon next to a name names the achievement.
  await expect(page.locator('.author-top').first()).toHaveAttribute('aria-label', /^Top achievement: /);

  const card = page.locator('#user-card');
  await author.hover();
  await expect(card).toBeVisible();
  const username = await author.getAttribute('data-user-card');
  await expect(card).toContainText(`@${username}`);
  await expect(card.getByRole('link', { name: 'View profile' })).toHaveAttribute('href', `/${username}`);
  await accessible(page);
  await page.screenshot({ path: '../public/screenshots/user-card.png', clip: { x: 0, y: 0, width: 1280, height: 420 } });
  await page.mouse.move(0, 0);
  await expect(card).toBeHidden();

  // Keyboard: focus shows it and describes the link; Escape closes it.
  await author.focus();
  await expect(card).toBeVisible();
  await expect(author).toHaveAttribute('aria-describedby', 'user-card');
  await page.keyboard.press('Escape');
  await expect(card).toBeHidden();
  await expect(author).not.toHaveAttribute('aria-describedby', 'user-card');
});

test.describe('on a touch screen', () => {
  test.use({ viewport: { width: 412, height: 839 }, hasTouch: true, isMobile: true });
  test('the first tap shows the card, the second follows the link', async ({ page }) => {
    await page.goto(ISSUE);
    const author = page.locator('.item-head a[data-user-card]');
    const username = await author.getAttribute('data-user-card');
    await author.tap();
    await expect(page.locator('#user-card')).toBeVisible();
    await expect(page.locator('#user-card')).toContainText(`@${username}`);
    expect(new URL(page.url()).pathname).toBe(ISSUE);
    await author.tap();
    await expect(page).toHaveURL(new RegExp(`/${username}$`));
  });
});
