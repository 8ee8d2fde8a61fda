import { test, expect } from '@playwright/test';
import { accessible, signIn } from './helpers';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

// carol shares her achievements from her profile editor: the badge preview
// follows the layout she picks, and each snippet is copied with one click; the
// card the snippets' link unfurls into can be framed by another site, her
// profile page cannot.
test('the share panel previews the badge and copies each snippet', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, 'carol');
  await page.goto('/-/profile');
  const panel = page.locator('section.share-panel');
  await expect(panel.getByRole('heading', { name: 'Share your achievements' })).toBeVisible();
  const preview = panel.getByRole('img', { name: 'My achievements on Laurel' });
  await expect(preview).toHaveAttribute('src', `${baseURL}/carol/achievements.svg?layout=strip`);
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
  // With a script, "Show" is not needed: the layout changes in place.
  await expect(panel.getByRole('button', { name: 'Show' })).toBeHidden();
  await panel.getByLabel('Badge').selectOption('count');
  await expect(preview).toHaveAttribute('src', `${baseURL}/carol/achievements.svg?layout=count`);
  const markdown = panel.getByLabel('Markdown');
  await expect(markdown).toHaveValue(
    `[![My achievements on Laurel](${baseURL}/carol/achievements.svg?layout=count)](${baseURL}/carol)`,
  );
  await panel.getByRole('button', { name: 'Copy' }).first().click();
  await expect(panel.locator('[data-copied]')).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await markdown.inputValue());
  await panel.getByRole('button', { name: 'Copy' }).nth(1).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('<img src=');
  await accessible(page);
  await panel.screenshot({ path: '../public/screenshots/share.png' });

  // Another site frames the card; the profile page refuses to be framed.
  // A blog on another origin: a server of the test's own on another port
  // (local like Laurel's, so Chromium's local-network checks let it frame).
  const blog = http.createServer((_, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(
      `<!doctype html><title>A blog</title>` +
        `<iframe id="card" title="card" src="${baseURL}/-/embed/carol" width="400" height="300"></iframe>` +
        `<iframe id="page" title="page" src="${baseURL}/carol" width="400" height="300"></iframe>`,
    );
  });
  await new Promise<void>((done) => blog.listen(0, '127.0.0.1', done));
  const other = await context.newPage();
  await other.goto(`http://127.0.0.1:${(blog.address() as AddressInfo).port}/`);
  const card = other.frameLocator('#card');
  await expect(card.getByRole('heading', { level: 1 })).toContainText('Achievements of @carol');
  await expect(card.locator('li').first()).toBeVisible();
  await other.waitForTimeout(500);
  const framedPage = other.frames().find((f) => f.url() === `${baseURL}/carol`);
  const shown = framedPage ? await framedPage.locator('h1').count().catch(() => 0) : 0;
  expect(shown, 'the profile page is not shown in a frame').toBe(0);
  await other.locator('#card').screenshot({ path: '../public/screenshots/embed-card.png' });
  blog.close();
});

// Without a script the layout is picked with "Show" (a reload).
test('the share panel works without JavaScript', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/users/sign_in');
  await page.getByLabel('Username or email').fill('carol');
  await page.getByLabel('Password').fill('laurel-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto('/-/profile');
  const panel = page.locator('section.share-panel');
  await panel.getByLabel('Badge').selectOption('count');
  await panel.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('section.share-panel').getByLabel('Markdown')).toHaveValue(/layout=count/);
  await expect(page.locator('section.share-panel img')).toHaveAttribute('src', `${baseURL}/carol/achievements.svg?layout=count`);
  await context.close();
});
