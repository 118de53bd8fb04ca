import { type Component, Show } from 'solid-js';
import { formatBytes, formatNumber } from '../../core/format';
import { describePath } from '../../core/session/connection-path';
import { ErrorNote } from '../components/ErrorNote';
import { OfferList } from '../components/OfferList';
import { ProgressBar } from '../components/ProgressBar';
import { ScanPanel } from '../components/ScanPanel';
import { useStores } from '../stores/app-store';

/** The Receive screen: open a Ferry link (pasted, or opened directly) and see what it points to. */
export const ReceivePage: Component = () => {
  const [state, actions, progress] = useStores().receive;
  const running = () => {
    const phase = state.transfer?.phase;
    return (
      phase === 'preparing' ||
      phase === 'receiving' ||
      phase === 'paused' ||
      phase === 'reconnecting'
    );
  };
  const pathShown = () => (state.connection?.phase === 'connected' ? state.path : null);
  const doneCount = () =>
    state.offer?.files.filter((f) => progress.files[f.index]?.state === 'done').length ?? 0;
  let input!: HTMLInputElement;
  return (
    <section class="page" aria-labelledby="receive-title">
      <h1 id="receive-title">Receive files</h1>
      <form
        class="link-form"
        onSubmit={(e) => {
          e.preventDefault();
          actions.open(input.value);
        }}
      >
        <label for="ticket-input">Paste the link from the other device</label>
        <div class="row">
          <input
            id="ticket-input"
            ref={input}
            type="text"
            inputmode="url"
            autocomplete="off"
            spellcheck={false}
            value={state.input}
            placeholder="https://…/#t=…"
          />
          <button type="submit" class="button primary">
            Open link
          </button>
        </div>
      </form>
      <ScanPanel />
      <ErrorNote text={state.error} />
      <Show when={state.ticket}>
        {(t) => (
          <div class="ticket-card">
            <p role="status" classList={{ ok: state.connection?.phase === 'connected' }}>
              {state.connection?.message ?? 'Valid Ferry link.'}
            </p>
            <Show when={!state.offer && t().collectionCode}>
              <p class="muted">
                The sender's screen must show the code{' '}
                <strong class="code">{t().collectionCode}</strong>.
              </p>
            </Show>
            <Show when={state.senderPreparing}>
              {(p) => (
                <div class="sender-preparing">
                  <p>
                    The sender is still checking its files: {formatNumber(p().filesReady)} of{' '}
                    {formatNumber(p().fileCount)} ready ({formatBytes(p().hashedBytes)} of{' '}
                    {formatBytes(p().totalBytes)}). The list appears here when they are.
                  </p>
                  <ProgressBar
                    value={p().hashedBytes}
                    max={p().totalBytes}
                    label="Sender checking its files"
                  />
                </div>
              )}
            </Show>
            {/* How it is connected (from WebRTC stats), then the round trip Ferry's own pings measured. */}
            <Show when={state.rtts.length > 0 || pathShown()}>
              <p class="muted">
                <Show when={pathShown()}>
                  {(path) => (
                    <span class="path-kind">
                      {describePath({ kind: path().kind, rttMs: null })}.
                    </span>
                  )}
                </Show>{' '}
                <Show when={state.rtts.length > 0}>
                  Round trip:{' '}
                  {Math.round(state.rtts.reduce((a, b) => a + b, 0) / state.rtts.length)} ms.
                </Show>
              </p>
            </Show>
          </div>
        )}
      </Show>
      <Show when={state.saved}>
        <p class="muted" role="status">
          {state.saved}
        </p>
      </Show>
      <Show when={state.offer}>
        {(offer) => (
          <>
            <Show when={!state.transfer}>
              <button
                type="button"
                class="button primary receive-button"
                onClick={() => void actions.receive()}
              >
                Receive
              </button>
            </Show>
            <Show when={state.transfer}>
              {(t) => (
                <div class="row transfer-row">
                  <p class="transfer-status" role="status" aria-live="polite">
                    {t().message}
                  </p>
                  <div class="row">
                    <Show when={t().phase === 'receiving'}>
                      <button type="button" class="button" onClick={() => actions.pause()}>
                        Pause
                      </button>
                    </Show>
                    <Show when={t().phase === 'paused'}>
                      <button type="button" class="button primary" onClick={() => actions.resume()}>
                        Resume
                      </button>
                    </Show>
                    <Show when={running()}>
                      <button type="button" class="button" onClick={() => actions.cancel()}>
                        Cancel
                      </button>
                    </Show>
                    <Show when={!running() && doneCount() > 1}>
                      <button
                        type="button"
                        class="button"
                        onClick={() => void actions.downloadZip()}
                      >
                        Download zip
                      </button>
                    </Show>
                    <Show when={!running() && doneCount() > 0 && state.canSaveToFolder}>
                      <button
                        type="button"
                        class="button"
                        onClick={() => void actions.saveToFolder()}
                      >
                        Save to folder
                      </button>
                    </Show>
                  </div>
                </div>
              )}
            </Show>
            <OfferList
              offer={offer()}
              progress={progress}
              started={!!state.transfer}
              canRetry={!running() && state.transfer?.phase !== 'cancelled'}
              onDownload={(i) => void actions.download(i)}
              onRetry={(i) => void actions.retry(i)}
              onSelect={(i, selected) => actions.select(i, selected)}
            />
          </>
        )}
      </Show>
    </section>
  );
};
