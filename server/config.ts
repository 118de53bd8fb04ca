// SPDX-License-Identifier: MIT

/** Server settings, from the environment. */
export interface ServerConfig {
  /** TCP port (PORT, default 8080). */
  port: number;
  /** Interface to bind (HOST, default all: a phone on the LAN must reach it). */
  host: string;
  /** Folder of the built app (STATIC_DIR, default ./dist). */
  staticDir: string;
}

/** Reads the config from `env`; throws a sentence naming the bad variable. */
export function readConfig(env: NodeJS.ProcessEnv, defaults: { staticDir: string }): ServerConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `PORT must be a whole number from 0 to 65535, not ${JSON.stringify(env.PORT)}.`,
    );
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    staticDir: env.STATIC_DIR || defaults.staticDir,
  };
}
