// SPDX-License-Identifier: MIT
import { createStore } from 'solid-js/store';
import { QrScanner } from '../../adapters/qr-scanner';
import { parseTicketInput } from '../../core/ticket';

/** What the scanner shows. */
export interface ScannerState {
  status: 'off' | 'starting' | 'scanning';
  /** What the person should know or do, as a sentence. */
  message: string | null;
  /** Why the camera could not be used, as a sentence. */
  error: string | null;
  hasTorch: boolean;
  torchOn: boolean;
  cameras: number;
}

const OFF: ScannerState = {
  status: 'off',
  message: null,
  error: null,
  hasTorch: false,
  torchOn: false,
  cameras: 0,
};

/** Creates the scanner store: reads a Ferry link from a QR code and hands it to `onLink`. */
export function createScannerStore(onLink: (link: string) => void) {
  const [state, setState] = createStore<ScannerState>({ ...OFF });
  let scanner: QrScanner | null = null;

  /** Accepts a decoded text when it is a Ferry link; otherwise says so and keeps looking. */
  function onText(text: string): boolean {
    try {
      parseTicketInput(text);
    } catch {
      setState(
        'message',
        'That QR code is not a Ferry link. Point the camera at the code on the sending device.',
      );
      return false;
    }
    scanner = null;
    setState({ ...OFF });
    onLink(text);
    return true;
  }

  const actions = {
    /** Starts the camera into `video` and scans until a Ferry link is found. */
    async start(video: HTMLVideoElement): Promise<void> {
      scanner?.stop();
      const current = new QrScanner(video, onText);
      scanner = current;
      setState({ ...OFF, status: 'starting', message: 'Starting the camera…' });
      try {
        const info = await current.start();
        if (scanner !== current) return;
        setState({
          status: 'scanning',
          message: 'Point the camera at the QR code on the sending device.',
          hasTorch: info.hasTorch,
          cameras: info.cameras,
        });
      } catch (err) {
        current.stop();
        if (scanner !== current) return;
        scanner = null;
        setState({ ...OFF, error: (err as Error).message });
      }
    },
    /** Stops the camera. */
    stop(): void {
      scanner?.stop();
      scanner = null;
      setState({ ...OFF });
    },
    /** Turns the torch on or off. */
    async toggleTorch(): Promise<void> {
      if (!scanner) return;
      try {
        setState('torchOn', await scanner.setTorch(!state.torchOn));
      } catch {
        setState('message', 'The torch could not be switched on this camera.');
      }
    },
    /** Moves to the device's next camera. */
    async switchCamera(): Promise<void> {
      if (!scanner) return;
      try {
        const info = await scanner.nextCamera();
        setState({ hasTorch: info.hasTorch, torchOn: false, cameras: info.cameras });
      } catch (err) {
        setState('error', (err as Error).message);
      }
    },
  };
  return [state, actions] as const;
}

/** The scanner store's type, for components. */
export type ScannerStore = ReturnType<typeof createScannerStore>;
