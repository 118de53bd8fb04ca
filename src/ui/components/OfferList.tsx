import { type Component, For, Match, Show, Switch } from 'solid-js';
import { formatBytes } from '../../core/format';
import type { Offer, OfferedFile } from '../stores/receive-store';
import { ProgressBar } from './ProgressBar';

/** One offered file: name, size, then its progress, its Download button, or why it failed. */
const OfferRow: Component<{
  file: OfferedFile;
  started: boolean;
  onDownload: () => void;
  onSelect: (selected: boolean) => void;
}> = (props) => (
  <li
    class="file-row"
    data-status={props.file.status}
    classList={{ unselected: !props.file.selected }}
  >
    <div class="file-main">
      <Show when={!props.started}>
        <input
          type="checkbox"
          class="file-check"
          checked={props.file.selected}
          aria-label={`Receive ${props.file.path}`}
          onChange={(e) => props.onSelect(e.currentTarget.checked)}
        />
      </Show>
      <span class="file-name" title={props.file.path}>
        {props.file.path}
      </span>
      <span class="file-size">{formatBytes(props.file.size)}</span>
      <Show when={props.file.status === 'done'}>
        <button
          type="button"
          class="button small"
          aria-label="Download"
          title={`Download ${props.file.path}`}
          onClick={() => props.onDownload()}
        >
          Download
        </button>
      </Show>
    </div>
    <Switch>
      <Match when={props.file.status === 'done'}>
        <code class="file-hash" title="BLAKE3 of the file: check it with b3sum">
          ✓ verified · {props.file.hash}
        </code>
      </Match>
      <Match when={props.file.status === 'failed'}>
        <p class="file-error">{props.file.error}</p>
      </Match>
      <Match when={props.started && props.file.selected}>
        <ProgressBar
          value={props.file.received}
          max={props.file.size}
          label={`Receiving ${props.file.path}`}
        />
      </Match>
    </Switch>
  </li>
);

/** What the sender offers: every file with its size and progress, the total, and the verification code. */
export const OfferList: Component<{
  offer: Offer;
  started: boolean;
  onDownload: (index: number) => void;
  onSelect: (index: number, selected: boolean) => void;
}> = (props) => {
  const chosen = () => props.offer.files.filter((f) => f.selected);
  const received = () => chosen().reduce((sum, f) => sum + f.received, 0);
  const chosenSize = () => chosen().reduce((sum, f) => sum + f.size, 0);
  return (
    <section aria-labelledby="offer-title">
      <div class="list-header">
        <h2 id="offer-title">
          {props.offer.files.length} {props.offer.files.length === 1 ? 'file' : 'files'} ·{' '}
          {formatBytes(props.offer.totalSize)}
        </h2>
        <span class="muted">
          Code <strong class="code">{props.offer.code}</strong>
        </span>
      </div>
      <Show when={props.started}>
        <ProgressBar value={received()} max={chosenSize()} label="Received in total" />
      </Show>
      <ul class="file-list" aria-label="Files offered">
        <For each={props.offer.files}>
          {(file) => (
            <OfferRow
              file={file}
              started={props.started}
              onDownload={() => props.onDownload(file.index)}
              onSelect={(selected) => props.onSelect(file.index, selected)}
            />
          )}
        </For>
      </ul>
      <Show when={props.offer.caseCollisions.length > 0}>
        <p class="muted">
          Some names differ only in capital letters (
          {props.offer.caseCollisions.map((g) => g.join(' / ')).join('; ')}); on Windows and macOS
          they would overwrite each other in one folder.
        </p>
      </Show>
    </section>
  );
};
