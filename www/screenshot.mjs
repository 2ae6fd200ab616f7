// Take the README screenshot (docs/screenshot.png) of the page on the demo data.
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
  // Fold the per-file column mappings so the picture shows the results.
  await page.evaluate(() => { for (const d of document.querySelectorAll('.file-card details')) d.open = false; });
  await page.waitForTimeout(300);
  // The results from the inventory down (the file panel above is folded but still tall).
  const top = await page.evaluate(() => document.getElementById('results').getBoundingClientRect().top + window.scrollY);
  await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: top - 8, width: 1280, height: 1500 } });
  console.log(`wrote ${path.relative(h.repoDir, out)}`);
} finally {
  await browser.close();
  await site.stop();
}
