// SPDX-License-Identifier: MIT
// A camera for Chromium that films a QR code: a Y4M video file for
// --use-file-for-fake-video-capture.
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

/**
 * Writes a 640×480 Y4M clip showing `text` as a QR code (black on white,
 * `moduleSize` pixels per module, quiet zone included) and returns its path.
 */
export function writeQrVideo(path: string, text: string, moduleSize = 8): string {
  const width = 640;
  const height = 480;
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const side = size * moduleSize;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (qr.modules.get(Math.floor(y / moduleSize), Math.floor(x / moduleSize)))
        luma[(top + y) * width + left + x] = 16;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  writeFileSync(path, Buffer.concat([header, frame, frame]));
  return path;
}
