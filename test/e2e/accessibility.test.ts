import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useAppInChromium, waitForStatus } from '../helpers/e2e-transfer';
import { requirePrivateNetwork } from '../helpers/private-network';

requirePrivateNetwork();

const app = useAppInChromium();
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the page as it is; returns serious and critical violations,
 * readably, and a line when the page is wider than the phone it is shown on.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const overflow =
    width > PHONE.width ? [`page is ${width}px wide on a ${PHONE.width}px screen`] : [];
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: Violation[] }> } }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return [
    ...overflow,
    ...violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
  ];
}

/** The narrowest phone Ferry is made for. */
const PHONE = { width: 360, height: 740 };

const files = [
  { name: 'holiday.zip', mimeType: 'application/zip', buffer: Buffer.alloc(300_000, 7) },
  { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\n') },
];

describe('accessibility (axe-core) at 360 px: no serious or critical violations, no sideways scrolling', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`on every screen, ${colorScheme}`, async () => {
      const context = await app.browser.newContext({ colorScheme, viewport: PHONE });
      const sender = await context.newPage();
      await sender.goto(app.url);
      expect(await seriousViolations(sender), 'send, empty').toEqual([]);
      await sender.getByLabel('Add files').setInputFiles(files);
      await sender.locator('.share-panel .code').waitFor({ timeout: 30_000 });
      expect(await seriousViolations(sender), 'send, sharing').toEqual([]);

      const empty = await context.newPage();
      await empty.goto(`${app.url}/#receive`);
      expect(await seriousViolations(empty), 'receive, empty').toEqual([]);

      const link = (await sender.getByRole('link', { name: 'Receive link' }).getAttribute('href'))!;
      const receiver = await (
        await app.browser.newContext({ colorScheme, viewport: PHONE })
      ).newPage();
      await receiver.goto(link);
      await receiver.getByRole('button', { name: 'Receive' }).waitFor({ timeout: 30_000 });
      expect(await seriousViolations(receiver), 'receive, offer').toEqual([]);
      await receiver.getByRole('button', { name: 'Receive' }).click();
      await waitForStatus(receiver, 'All 2 files received and verified.');
      expect(await seriousViolations(receiver), 'receive, done').toEqual([]);
      expect(await seriousViolations(sender), 'send, receiver connected').toEqual([]);
      await receiver.getByRole('link', { name: 'Received', exact: true }).click();
      await receiver.getByText('Complete and verified.').waitFor();
      expect(await seriousViolations(receiver), 'received, one kept').toEqual([]);
      await empty.getByRole('link', { name: 'Received', exact: true }).click();
      await empty.getByText(/Nothing received yet/).waitFor();
      expect(await seriousViolations(empty), 'received, empty').toEqual([]);
      await receiver.context().close();
      await context.close();
    });
  }
});
