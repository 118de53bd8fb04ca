// SPDX-License-Identifier: MIT
// Short-lived TURN credentials in the TURN REST API form (draft-uberti-behave-turn-rest),
// which coturn checks with `use-auth-secret` + `static-auth-secret`.
import { createHmac } from 'node:crypto';
import type { IceServer } from './config';

/** A relay that mints credentials per client: TURN_URLS + TURN_SECRET (+ TURN_TTL_S). */
export interface TurnRest {
  urls: string[];
  secret: string;
  /** How long a credential lasts, seconds. */
  ttlSeconds: number;
}

/** The name after the expiry in every username: coturn ignores it, logs show it. */
export const TURN_USER_TAG = 'ferry';

/**
 * One credential valid until `nowMs + ttl`: username `expiry:ferry` (expiry in
 * Unix seconds), password base64(HMAC-SHA1(secret, username)).
 */
export function turnCredential(turn: TurnRest, nowMs: number): IceServer {
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${TURN_USER_TAG}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential };
}

/** The ICE servers one client gets now: the fixed ones, then a fresh TURN credential if configured. */
export function iceServersNow(
  fixed: readonly IceServer[],
  turn: TurnRest | null,
  nowMs: number,
): IceServer[] {
  return turn ? [...fixed, turnCredential(turn, nowMs)] : [...fixed];
}
