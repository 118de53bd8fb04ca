// SPDX-License-Identifier: MIT
import { type Remote, transfer, wrap } from 'comlink';
import type { QrWorkerApi } from '../../workers/qr.worker';

/** Longest side of the frames sent to the decoder: enough for a phone-screen QR code, cheap to decode. */
const FRAME_SIDE = 720;
/** Pause between two decodes, ms: about eight looks a second without keeping a core busy. */
const FRAME_GAP_MS = 120;

/** What the camera can do, once it runs. */
export interface CameraInfo {
  /** True where the camera has a torch (flash) Ferry can switch. */
  hasTorch: boolean;
  /** How many cameras the device has (a switch button makes sense from two). */
  cameras: number;
}

/** A camera failure as a sentence a person can act on. */
export function cameraErrorMessage(err: unknown): string {
  const name = (err as { name?: string } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Ferry needs the camera to scan the code. Allow the camera for this site in the browser, or paste the link instead.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. Paste the link instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera is busy (another app may be using it). Close that app and try again, or paste the link.';
    default:
      return `The camera could not start (${(err as Error)?.message ?? String(err)}). Paste the link instead.`;
  }
}

/**
 * Reads QR codes from the camera: frames go to a worker that decodes them
 * (zxing-cpp), one at a time, until `onText` accepts one. Torch and camera
 * switching where the device has them.
 */
export class QrScanner {
  private stream: MediaStream | null = null;
  private worker: Worker | null = null;
  private decoder: Remote<QrWorkerApi> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private torchOn = false;
  private deviceIds: string[] = [];
  private deviceIndex = -1;
  private readonly canvas = document.createElement('canvas');

  constructor(
    private readonly video: HTMLVideoElement,
    /** Called with each decoded text; return true to stop scanning (it was the one). */
    private readonly onText: (text: string) => boolean,
  ) {}

  /** True where this page may use a camera at all (a secure page in a browser with one). */
  static supported(): boolean {
    return !!navigator.mediaDevices?.getUserMedia;
  }

  /** Starts the camera (the back one on phones) and scanning; rejects with a sentence. */
  async start(): Promise<CameraInfo> {
    if (!QrScanner.supported()) {
      throw new Error(
        window.isSecureContext
          ? 'This browser cannot use a camera. Paste the link instead.'
          : 'The camera works only on a secure (https) page. Paste the link instead, or open Ferry over https.',
      );
    }
    await this.open({ facingMode: { ideal: 'environment' } });
    this.running = true;
    this.worker ??= new Worker(new URL('../../workers/qr.worker.ts', import.meta.url), {
      type: 'module',
      name: 'ferry-qr',
    });
    this.decoder ??= wrap<QrWorkerApi>(this.worker);
    this.schedule();
    return this.info();
  }

  private async open(video: MediaTrackConstraints): Promise<void> {
    this.closeStream();
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (err) {
      throw new Error(cameraErrorMessage(err));
    }
    this.torchOn = false;
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.playsInline = true;
    await this.video.play().catch(() => {});
    // Labels and ids are only complete once permission was given.
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    this.deviceIds = devices.filter((d) => d.kind === 'videoinput').map((d) => d.deviceId);
    const current = this.stream.getVideoTracks()[0]?.getSettings().deviceId;
    this.deviceIndex = current ? this.deviceIds.indexOf(current) : -1;
  }

  private info(): CameraInfo {
    const track = this.stream?.getVideoTracks()[0];
    const caps = (track?.getCapabilities?.() ?? {}) as MediaTrackCapabilities & { torch?: boolean };
    return { hasTorch: caps.torch === true, cameras: this.deviceIds.length };
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => void this.look(), FRAME_GAP_MS);
  }

  /** Decodes the current frame; schedules the next look unless a code was accepted. */
  private async look(): Promise<void> {
    const frame = this.grab();
    if (frame && this.decoder) {
      try {
        const text = await this.decoder.decode(transfer(frame, [frame.data.buffer]));
        if (text !== null && this.running && this.onText(text)) {
          this.stop();
          return;
        }
      } catch {
        // A frame the decoder could not take; the next one may do.
      }
    }
    this.schedule();
  }

  private grab(): ImageData | null {
    const { videoWidth: w, videoHeight: h } = this.video;
    if (!w || !h) return null;
    const scale = Math.min(1, FRAME_SIDE / Math.max(w, h));
    this.canvas.width = Math.round(w * scale);
    this.canvas.height = Math.round(h * scale);
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return null;
    ctx.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    return ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Switches the torch; resolves with whether it is on. */
  async setTorch(on: boolean): Promise<boolean> {
    const track = this.stream?.getVideoTracks()[0];
    if (!track) return false;
    await track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
    this.torchOn = on;
    return this.torchOn;
  }

  /** Moves to the next camera; resolves with what that one can do. */
  async nextCamera(): Promise<CameraInfo> {
    if (this.deviceIds.length < 2) return this.info();
    const next = this.deviceIds[(this.deviceIndex + 1) % this.deviceIds.length]!;
    await this.open({ deviceId: { exact: next } });
    return this.info();
  }

  private closeStream(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  /** Stops the camera and the decoder. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.closeStream();
    this.worker?.terminate();
    this.worker = null;
    this.decoder = null;
  }
}
