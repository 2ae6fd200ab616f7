// Take the README screenshot (docs/screenshot.png): the action plan of the page on the demo data.
//   node www/screenshot.mjs   (needs www/dist: scripts/build_web.sh)
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import * as h from './tests/helpers.mjs';

const out = path.join(h.repoDir, 'docs', 'screenshot.png');
mkdirSync(path.dirname(out), { recursive: true });
const site = await h.siteUrl();
const { browser, page } = await h.openPage(site.url);
try {
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.click('#demo-button');
  await h.waitForReport(page, 0);
  // The action plan (行动建议): its heading and toolbar, the value basis and the first two rows
  // of ranked cards (the calendar below them does not fit a README's first screen).
  const panel = page.locator('#actions-panel');
  await panel.locator('.action-card').nth(3).waitFor();
  await page.waitForTimeout(300);
  const { top, bottom } = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('#actions-list .action-card')].slice(0, 4);
    return {
      top: document.getElementById('actions-panel').getBoundingClientRect().top + window.scrollY,
      bottom: Math.max(...cards.map((c) => c.getBoundingClientRect().bottom)) + window.scrollY,
    };
  });
  await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: top - 8, width: 1280, height: Math.ceil(bottom - top) + 18 } });
  console.log(`wrote ${path.relative(h.repoDir, out)}`);
} finally {
  await browser.close();
  await site.stop();
}
