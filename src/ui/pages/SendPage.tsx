import { type Component, createSignal, Show } from 'solid-js';
import { filesFromInput } from '../../adapters/dropped-files';
import { formatBytes, formatCount, rateLine } from '../../core/format';
import { ErrorNote } from '../components/ErrorNote';
import { FILE_ROW_HEIGHT, SendFileRow } from '../components/SendFileRow';
import { SharePanel } from '../components/SharePanel';
import { VirtualList } from '../components/VirtualList';
import { useStores } from '../stores/app-store';

/** The Send screen: pick or drop files and folders; each is checked (hashed) on this device. */
export const SendPage: Component = () => {
  const [state, actions, hashProgress] = useStores().send;
  const [dragging, setDragging] = createSignal(false);

  const onInput = (e: Event & { currentTarget: HTMLInputElement }) => {
    actions.add(filesFromInput(e.currentTarget));
    e.currentTarget.value = '';
  };
  // The drop itself is taken for the whole window (app-store): here it only lights the zone up.
  const onDrop = () => setDragging(false);

  return (
    <section
      class="page"
      aria-labelledby="send-title"
      classList={{ dragging: dragging(), 'has-files': state.files.length > 0 }}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h1 id="send-title">Send files</h1>
      <div class="drop-zone">
        <p class="drop-hint">Drop files or folders here, or</p>
        <div class="pickers">
          <label class="button primary">
            <input
              type="file"
              multiple
              class="visually-hidden"
              aria-label="Add files"
              onChange={onInput}
            />
            Add files
          </label>
          <label class="button">
            <input
              type="file"
              multiple
              ref={(el) => {
                el.webkitdirectory = true;
              }}
              class="visually-hidden"
              aria-label="Add folder"
              onChange={onInput}
            />
            Add folder
          </label>
        </div>
      </div>

      <p role="status" class="status">
        <Show when={state.checking > 0}>
          Checking {formatCount(state.checking, 'file')}…{' '}
          <Show when={hashProgress.total && hashProgress.total.rate > 0}>
            <span class="muted">{rateLine(hashProgress.total!)}</span>
          </Show>
        </Show>
        <Show when={state.collection}>
          {(c) => (
            <>
              Ready: {formatCount(c().fileCount, 'file')}, {formatBytes(c().totalSize)}.
              Verification code <strong class="code">{c().code}</strong>.
            </>
          )}
        </Show>
      </p>
      {/* The link and its QR code come before the list, so however many files there are they stay in view. */}
      <Show when={state.share}>
        {(share) => (
          <SharePanel
            share={share()}
            code={state.collection?.code ?? null}
            onStop={() => actions.stopSharing()}
          />
        )}
      </Show>
      <Show when={state.files.length > 0}>
        <div class="list-header">
          <h2>
            {formatCount(state.files.length, 'file')} ·{' '}
            {formatBytes(state.files.reduce((s, f) => s + f.size, 0))}
          </h2>
          <button type="button" class="link-button" onClick={() => actions.clear()}>
            Clear all
          </button>
        </div>
        <VirtualList
          items={state.files}
          rowHeight={FILE_ROW_HEIGHT}
          class="file-list"
          label="Files to send"
          scrolls
        >
          {(file) => (
            <SendFileRow
              file={file}
              hashed={hashProgress.files[file.id]?.hashed ?? 0}
              onRemove={() => actions.remove(file.id)}
            />
          )}
        </VirtualList>
      </Show>

      <ErrorNote text={state.error} />
    </section>
  );
};
