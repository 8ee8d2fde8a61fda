import { test, expect } from '@playwright/test';
import { accessible, hydrated, signIn } from './helpers';

// Every page at a desk (1280 px) and on a phone (390 px), light and dark: the
// README's gallery (public/screenshots/gallery/), remade by every run so it
// stays true, and axe run on each of the 48 views.
const VIEWS = [
  { size: 'desktop', width: 1280, height: 800 },
  { size: 'phone', width: 390, height: 844 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

const PAGES: { who: string | null; password?: string; pages: [string, string][] }[] = [
  {
    who: null,
    pages: [
      ['home', '/'],
      ['sign-in', '/users/sign_in'],
      ['profile', '/carol'],
      ['verify', '/-/verify'],
    ],
  },
  {
    who: 'carol',
    pages: [
      ['home-signed-in', '/'],
      ['project', '/heroes/website'],
      ['issue', '/heroes/website/-/issues/1'],
      ['profile-editor', '/-/profile'],
    ],
  },
  { who: 'bob', pages: [['group-dashboard', '/groups/heroes/-/achievements']] },
  {
    who: 'alice',
    pages: [
      ['group-audit', '/groups/heroes/-/achievements/audit'],
      ['group-hooks', '/groups/heroes/-/hooks'],
    ],
  },
  { who: 'root', password: 'root-password-e2e', pages: [['admin', '/admin']] },
];

for (const { who, password, pages } of PAGES) {
  test(`gallery: ${pages.map(([name]) => name).join(', ')} as ${who ?? 'a visitor'}`, async ({ page }) => {
    test.setTimeout(120_000);
    if (who) await signIn(page, who, password);
    for (const [name, path] of pages) {
      for (const view of VIEWS) {
        for (const scheme of SCHEMES) {
          await page.setViewportSize({ width: view.width, height: view.height });
          await page.emulateMedia({ colorScheme: scheme });
          await page.goto(path);
          await hydrated(page);
          // No layout shift while the page loads and hydrates (the layout-shift
          // entries Chromium recorded since navigation, as Core Web Vitals sum them).
          const shift = await page.evaluate(
            () =>
              new Promise<number>((resolve) => {
                let total = 0;
                new PerformanceObserver((list) => {
                  for (const entry of list.getEntries() as any[]) if (!entry.hadRecentInput) total += entry.value;
                }).observe({ type: 'layout-shift', buffered: true });
                setTimeout(() => resolve(total), 300);
              }),
          );
          expect(shift, `${name} ${view.size} ${scheme}: cumulative layout shift`).toBeLessThan(0.01);
          await accessible(page);
          await page.screenshot({
            path: `../public/screenshots/gallery/${name}-${view.size}-${scheme}.jpeg`,
            type: 'jpeg',
            quality: 80,
          });
        }
      }
    }
  });
}
