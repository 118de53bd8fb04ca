import QRCode from 'qrcode';
import { type Component, createMemo } from 'solid-js';

/** Light modules around the code, as the QR standard asks, so any reader finds it. */
const QUIET_ZONE = 4;

/** SVG path of the dark modules, one horizontal run per `h` segment (small enough for long links). */
function modulePath(size: number, isDark: (x: number, y: number) => boolean): string {
  let d = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!isDark(x, y)) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && isDark(x, y)) x++;
      d += `M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h${start - x}z`;
    }
  }
  return d;
}

/**
 * `text` as a QR code (error correction M), drawn as one SVG path: crisp at
 * any size, dark on light even in dark mode, because phone cameras read that best.
 */
export const QrCode: Component<{ text: string; label: string }> = (props) => {
  const code = createMemo(() => {
    const qr = QRCode.create(props.text, { errorCorrectionLevel: 'M' });
    const size = qr.modules.size;
    return { size, path: modulePath(size, (x, y) => qr.modules.get(y, x) === 1) };
  });
  const span = () => code().size + 2 * QUIET_ZONE;
  return (
    <svg
      class="qr-code"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${span()} ${span()}`}
      shape-rendering="crispEdges"
    >
      <rect width={span()} height={span()} fill="#fff" />
      <path d={code().path} fill="#000" />
    </svg>
  );
};
