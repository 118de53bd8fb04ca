// SPDX-License-Identifier: MIT
// WebKitGTK (Debian's MiniBrowser) for e2e tests: WebKitWebDriver under Xvfb,
// driven over classic WebDriver. The nearest engine to Safari this machine
// runs; it has no RTCPeerConnection, so no transfer happens in it.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { expect } from 'vitest';
import WebDriver, { type Client } from 'webdriver';

/** What WebDriver can pass into a page script. */
type ScriptArg = string | number | boolean | object | null | undefined;

/** Debian's MiniBrowser, the browser WebKitWebDriver starts. */
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The key under which classic WebDriver returns an element reference. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A free loopback TCP port (closed again before it is handed out). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the driver answers /status (polled), or rejects when it exits first or takes 20 s. */
async function driverReady(port: number, driver: ChildProcess): Promise<void> {
  let exited = false;
  driver.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error('WebKitWebDriver exited before it was ready.');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/status`)).ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('WebKitWebDriver did not answer within 20 s.');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A MiniBrowser session and the way to end it with its driver and X server. */
export interface WebKitInstance {
  client: Client;
  close(): Promise<void>;
}

/** Starts WebKitWebDriver under a fresh Xvfb and opens a MiniBrowser session (automation mode, ephemeral profile). */
export async function launchWebKit(): Promise<WebKitInstance> {
  const port = await freePort();
  // Its own process group, so closing ends xvfb-run, Xvfb, the driver and MiniBrowser, and nothing else.
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], {
    stdio: 'ignore',
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-driver.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  try {
    await driverReady(port, driver);
    const client = await WebDriver.newSession({
      hostname: '127.0.0.1',
      port,
      logLevel: 'warn',
      connectionRetryCount: 0,
      capabilities: {
        // WebKitGTK speaks classic WebDriver only: no BiDi socket to ask for.
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      } as WebdriverIO.Capabilities,
    });
    return {
      client,
      async close() {
        await client.deleteSession().catch(() => {});
        stop();
      },
    };
  } catch (err) {
    stop();
    throw err;
  }
}

/** Runs `fn` (a function body's source, awaited in the page) with `args` and returns its JSON-able result. */
export function run<T>(client: Client, fn: string, ...args: ScriptArg[]): Promise<T> {
  return client.executeScript(`return (async (...args) => { ${fn} })(...arguments);`, args);
}

/** Waits until `fn` (as for `run`) returns something truthy and returns that. */
export async function waitFor<T>(
  client: Client,
  fn: string,
  timeout = 30_000,
  ...args: ScriptArg[]
): Promise<T> {
  let last: T | undefined;
  await expect
    .poll(
      async () => {
        last = await run<T>(client, fn, ...args);
        return Boolean(last);
      },
      { timeout, interval: 200 },
    )
    .toBe(true);
  return last!;
}

/** Types `paths` (newline-separated, as WebDriver's Element Send Keys takes several) into the file input matching `selector`. */
export async function pickFiles(client: Client, selector: string, paths: string[]): Promise<void> {
  const element = (await client.findElement('css selector', selector)) as Record<string, string>;
  await client.elementSendKeys(element[ELEMENT]!, paths.join('\n'));
}
