import { type Component, For, Show } from 'solid-js';
import { formatBytes } from '../../core/format';
import type { Offer } from '../stores/receive-store';

/** What the sender offers: every file with its size, the total, and the verification code. */
export const OfferList: Component<{ offer: Offer }> = (props) => (
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
    <ul class="file-list" aria-label="Files offered">
      <For each={props.offer.files}>
        {(file) => (
          <li class="file-row">
            <div class="file-main">
              <span class="file-name" title={file.path}>
                {file.path}
              </span>
              <span class="file-size">{formatBytes(file.size)}</span>
            </div>
          </li>
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
