import { type Component, createMemo, Match, Show, Switch } from 'solid-js';
import { formatBytes, formatCount, formatNumber, rateLine } from '../../core/format';
import type { FileProgress } from '../../core/progress/progress-model';
import type { ProgressView } from '../stores/progress-store';
import type { Offer, OfferedFile } from '../stores/receive-store';
import { FilePath } from './FilePath';
import { ProgressBar } from './ProgressBar';
import { FILE_ROW_HEIGHT } from './SendFileRow';
import { VirtualList } from './VirtualList';

/** Before receiving: what is chosen, against the space this browser may still use. */
const ChosenLine: Component<{ offer: Offer }> = (props) => {
  const chosen = createMemo(() => {
    let count = 0;
    let bytes = 0;
    for (const f of props.offer.files) {
      if (!f.selected) continue;
      count++;
      bytes += f.size;
    }
    return { count, bytes };
  });
  const tooBig = () => props.offer.available !== null && chosen().bytes > props.offer.available;
  return (
    <p class="muted chosen-line" classList={{ error: tooBig() }}>
      Chosen: {formatNumber(chosen().count)} of {formatNumber(props.offer.files.length)} ·{' '}
      {formatBytes(chosen().bytes)}
      <Show when={props.offer.available !== null}>
        {' '}
        · {formatBytes(props.offer.available!)} free for Ferry on this device
      </Show>
      <Show when={tooBig()}>. That is more than this device can hold: untick some files.</Show>
    </p>
  );
};

/** One offered file: name, size, then its progress, its Download button, or why it failed. */
const OfferRow: Component<{
  file: OfferedFile;
  progress: FileProgress | undefined;
  started: boolean;
  canRetry: boolean;
  onDownload: () => void;
  onRetry: () => void;
  onSelect: (selected: boolean) => void;
}> = (props) => {
  const state = () => props.progress?.state ?? 'waiting';
  return (
    <div class="file-row" data-status={state()} classList={{ unselected: !props.file.selected }}>
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
        <FilePath path={props.file.path} />
        <span class="file-size">
          <Show
            when={props.progress?.state === 'transferring' && props.progress.rate > 0}
            fallback={formatBytes(props.file.size)}
          >
            {rateLine(props.progress!)}
          </Show>
        </span>
        <Show when={state() === 'done'}>
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
        <Show when={state() === 'failed' && props.canRetry}>
          <button
            type="button"
            class="button small"
            aria-label={`Retry ${props.file.path}`}
            onClick={() => props.onRetry()}
          >
            Retry
          </button>
        </Show>
      </div>
      <Switch>
        <Match when={state() === 'done'}>
          <code class="file-hash" title={`BLAKE3 ${props.file.hash} (check it with b3sum)`}>
            ✓ verified · {props.file.hash}
          </code>
        </Match>
        <Match when={state() === 'failed'}>
          <p class="file-error" title={props.progress?.error ?? ''}>
            {props.progress?.error}
          </p>
        </Match>
        <Match when={props.started && props.file.selected && props.progress}>
          {(p) => (
            <ProgressBar
              value={p().received}
              max={p().size}
              label={`Receiving ${props.file.path}`}
            />
          )}
        </Match>
      </Switch>
    </div>
  );
};

/** What the sender offers: every file with its size and progress, the total, and the verification code. */
export const OfferList: Component<{
  offer: Offer;
  progress: ProgressView;
  started: boolean;
  /** Failed files can be tried again (the transfer is not running). */
  canRetry: boolean;
  onDownload: (index: number) => void;
  onRetry: (index: number) => void;
  onSelect: (index: number, selected: boolean) => void;
}> = (props) => (
  <section aria-labelledby="offer-title">
    <div class="list-header">
      <h2 id="offer-title">
        {formatCount(props.offer.files.length, 'file')} · {formatBytes(props.offer.totalSize)}
      </h2>
      <Show when={props.offer.code}>
        <span class="muted">
          Code <strong class="code">{props.offer.code}</strong>
        </span>
      </Show>
    </div>
    <Show when={props.offer.checking}>
      <p class="muted draft-note" role="status">
        The sender is still checking its files. You can receive them now: each file is checked again
        when it arrives.
      </p>
    </Show>
    <Show when={!props.started}>
      <ChosenLine offer={props.offer} />
    </Show>
    <Show when={props.started && props.progress.total}>
      {(total) => (
        <div class="total-progress">
          <ProgressBar value={total().received} max={total().size} label="Received in total" />
          <p class="muted total-line">
            <span>
              {formatBytes(total().verified)} of {formatBytes(total().size)} ·{' '}
              {formatNumber(total().doneFiles)} of {formatCount(total().files, 'file')}
            </span>
            <span>{rateLine(total())}</span>
          </p>
        </div>
      )}
    </Show>
    <VirtualList
      items={props.offer.files}
      rowHeight={FILE_ROW_HEIGHT}
      class="file-list"
      label="Files offered"
    >
      {(file) => (
        <OfferRow
          file={file}
          progress={props.progress.files[file.index]}
          started={props.started}
          canRetry={props.canRetry}
          onDownload={() => props.onDownload(file.index)}
          onRetry={() => props.onRetry(file.index)}
          onSelect={(selected) => props.onSelect(file.index, selected)}
        />
      )}
    </VirtualList>
    <Show when={props.offer.caseCollisions.length > 0}>
      <p class="muted">
        Some names differ only in capital letters (
        {props.offer.caseCollisions.map((g) => g.join(' / ')).join('; ')}); on Windows and macOS
        they would overwrite each other in one folder.
      </p>
    </Show>
  </section>
);
