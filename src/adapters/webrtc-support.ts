// SPDX-License-Identifier: MIT

/**
 * True where the page can make WebRTC connections. Every current Safari,
 * Chromium and Firefox can; some builds cannot (Debian's WebKitGTK, browsers
 * with WebRTC turned off by policy or an extension).
 */
export function hasWebRtc(): boolean {
  return typeof globalThis.RTCPeerConnection === 'function';
}

/** What the Receive screen says where there is no WebRTC, instead of waiting for ever. */
export const NO_WEBRTC_MESSAGE =
  'This browser cannot make direct connections (it has no WebRTC, or it is turned off), so it cannot receive files. Open the link in Safari, Chrome, Edge or Firefox.';
