import { type Component, onCleanup, Show } from 'solid-js';
import { useStores } from '../stores/app-store';
import { ErrorNote } from './ErrorNote';

/** "Scan QR code": the camera view, with torch and camera switch where the device has them. */
export const ScanPanel: Component = () => {
  const [state, actions] = useStores().scanner;
  let video!: HTMLVideoElement;
  onCleanup(() => actions.stop());
  const active = () => state.status !== 'off';
  return (
    <div class="scan-panel">
      <Show when={!active()}>
        <button type="button" class="button" onClick={() => void actions.start(video)}>
          Scan QR code
        </button>
      </Show>
      <div class="scan-view" hidden={!active()}>
        <video ref={video} class="scan-video" muted playsinline aria-label="Camera view" />
        <p class="muted" role="status">
          {state.message}
        </p>
        <div class="row">
          <Show when={state.hasTorch}>
            <button
              type="button"
              class="button"
              aria-pressed={state.torchOn}
              onClick={() => void actions.toggleTorch()}
            >
              Torch
            </button>
          </Show>
          <Show when={state.cameras > 1}>
            <button type="button" class="button" onClick={() => void actions.switchCamera()}>
              Switch camera
            </button>
          </Show>
          <button type="button" class="button" onClick={() => actions.stop()}>
            Stop scanning
          </button>
        </div>
      </div>
      <ErrorNote text={state.error} />
    </div>
  );
};
