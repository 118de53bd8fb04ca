// SPDX-License-Identifier: MIT
// Sending while hashing, measured through the UI with one 1 GiB file: the
// receiver opens the link as soon as the sender picked the file and presses
// Receive on the file list the sender offers before its hashes exist; blocks
// move while the sender is still hashing. Set beside, in the same run, the
// transfer alone (hashing finished first, the clock started at Receive) and
// the hashing alone (pick to the final link). Target: pick-to-verified within
// 1.1× the transfer alone.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chromiumCpuSeconds } from './cpu-time.mjs';
import { makeBigFile } from './transfer-cases.mjs';

const MiB = 1024 * 1024;

/** Size of the file, MiB: 1 GiB (BENCH_HASH_MIB for a quicker look). */
const FILE_MIB = Number(process.env.BENCH_HASH_MIB || 1024);

/** Resolves once the receiver's status says every file is received and verified (or throws on failure). */
async function verified(receiver) {
  const status = receiver.locator('.transfer-status');
  await receiver.waitForFunction(
    () =>
      /received and verified|failed|Stopped/.test(
        document.querySelector('.transfer-status')?.textContent ?? '',
      ),
    null,
    { timeout: 1_800_000, polling: 50 },
  );
  const text = await status.textContent();
  if (!/received and verified/.test(text) || /failed/.test(text))
    throw new Error(`transfer did not finish: ${text}`);
}

async function sha256Of(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** Opens a sender and a receiver page, each in its own context (two devices). */
async function pair(browser, appUrl) {
  const sender = await (await browser.newContext()).newPage();
  const receiver = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await sender.goto(appUrl);
  return {
    sender,
    receiver,
    close: async () => {
      await sender.context().close();
      await receiver.context().close();
    },
  };
}

/** CPU seconds of every Chromium process since `start` (null off Linux). */
const cpuSince = (start) => {
  const now = chromiumCpuSeconds();
  return start === null || now === null ? null : Math.round((now - start) * 10) / 10;
};

/** Hashing finished first, then the transfer: returns { hashMs, aloneMs } and the CPU of each. */
async function transferAlone(browser, appUrl, path) {
  const { sender, receiver, close } = await pair(browser, appUrl);
  try {
    const cpuAtPick = chromiumCpuSeconds();
    const pickedAt = Date.now();
    await sender.getByLabel('Add files').setInputFiles(path);
    await sender.locator('.share-panel .code').waitFor({ timeout: 600_000 });
    const hashMs = Date.now() - pickedAt;
    const hashCpuS = cpuSince(cpuAtPick);
    const link = await sender.getByRole('link', { name: 'Receive link' }).getAttribute('href');
    await receiver.goto(link);
    const receive = receiver.getByRole('button', { name: 'Receive' });
    await receive.waitFor({ timeout: 60_000 });
    const cpuAtReceive = chromiumCpuSeconds();
    const startedAt = Date.now();
    await receive.click();
    await verified(receiver);
    return { hashMs, aloneMs: Date.now() - startedAt, hashCpuS, aloneCpuS: cpuSince(cpuAtReceive) };
  } finally {
    await close();
  }
}

/** The link taken at once, Receive pressed on the draft: pick to verified, and the saved file's SHA-256 when asked. */
async function whileHashing(browser, appUrl, path, check) {
  const { sender, receiver, close } = await pair(browser, appUrl);
  try {
    const cpuAtPick = chromiumCpuSeconds();
    const pickedAt = Date.now();
    await sender.getByLabel('Add files').setInputFiles(path);
    const linkEl = sender.getByRole('link', { name: 'Receive link' });
    await linkEl.waitFor({ timeout: 60_000 });
    const link = await linkEl.getAttribute('href');
    // The link without the collection hash: the one a person shares before checking ends.
    const draftLink = !(await sender.locator('.share-panel .code').isVisible());
    await receiver.goto(link);
    await receiver.getByRole('button', { name: 'Receive' }).click({ timeout: 600_000 });
    const receivingWhileHashing = !(await sender.locator('.share-panel .code').isVisible());
    await verified(receiver);
    const ms = Date.now() - pickedAt;
    const cpuS = cpuSince(cpuAtPick);
    let sha256 = null;
    if (check) {
      const download = receiver.getByRole('button', { name: 'Download', exact: true }).first();
      const [saved] = await Promise.all([receiver.waitForEvent('download'), download.click()]);
      sha256 = await sha256Of(await saved.path());
    }
    return { ms, cpuS, draftLink, receivingWhileHashing, sha256 };
  } finally {
    await close();
  }
}

/**
 * e2e-hash-1g: `rounds` rounds, each the transfer alone then the send while
 * hashing (fresh pages each time); medians. The first round's saved file is
 * compared with the original by SHA-256.
 */
export async function runSendWhileHashing(browser, appUrl, inputsRoot, rounds) {
  const path = makeBigFile(inputsRoot, FILE_MIB);
  const original = await sha256Of(path);
  const alone = [];
  const hashing = [];
  const picked = [];
  const cpu = [];
  for (let round = 0; round < rounds; round++) {
    const a = await transferAlone(browser, appUrl, path);
    alone.push(a.aloneMs);
    hashing.push(a.hashMs);
    const w = await whileHashing(browser, appUrl, path, round === 0);
    if (w.sha256 !== null && w.sha256 !== original)
      throw new Error('the file received while hashing differs from the original');
    picked.push(w.ms);
    cpu.push({ hash: a.hashCpuS, alone: a.aloneCpuS, whileHashing: w.cpuS });
    console.log(
      `e2e-hash round ${round + 1}/${rounds}: hashing ${a.hashMs} ms (${a.hashCpuS} CPU-s), transfer alone ${a.aloneMs} ms (${a.aloneCpuS} CPU-s), pick to verified while hashing ${w.ms} ms (${w.cpuS} CPU-s; link before checking ended: ${w.draftLink}, Receive pressed before: ${w.receivingWhileHashing})`,
    );
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ms = median(picked);
  const aloneMs = median(alone);
  return {
    bytes: FILE_MIB * MiB,
    ms,
    aloneMs,
    hashMs: median(hashing),
    ratioToAlone: Math.round((ms / aloneMs) * 100) / 100,
    // CPU of every Chromium process, seconds: hashing and transfer alone against both at once.
    rounds: { picked, alone, hashing, cpu },
  };
}
