// SPDX-License-Identifier: MIT
// Renders public/icon.svg to the PNG icons the web app manifest lists.
// Run by hand after changing the SVG: node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const svg = readFileSync(new URL('../public/icon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs() });
const page = await browser.newPage();
const shots = [
  { file: 'icon-192.png', size: 192, inset: 0, bg: 'transparent' },
  { file: 'icon-512.png', size: 512, inset: 0, bg: 'transparent' },
  // Maskable: the platform may crop to a circle; keep the mark inside the 80% safe zone.
  { file: 'icon-maskable-512.png', size: 512, inset: 0.12, bg: '#0f172a' },
];
for (const { file, size, inset, bg } of shots) {
  await page.setViewportSize({ width: size, height: size });
  const pad = Math.round(size * inset);
  await page.setContent(
    `<body style="margin:0;background:${bg}"><div style="padding:${pad}px;width:${size}px;height:${size}px;box-sizing:border-box">${svg.replace('<svg ', '<svg width="100%" height="100%" ')}</div></body>`,
  );
  await page.screenshot({
    path: new URL(`../public/icons/${file}`, import.meta.url).pathname,
    omitBackground: bg === 'transparent',
  });
}
await browser.close();
