import { type Component, Match, Switch } from 'solid-js';
import { formatBytes } from '../../core/format';
import type { SendFile } from '../stores/send-store';
import { FilePath } from './FilePath';
import { ProgressBar } from './ProgressBar';

/** Height of one file row, px (matches `.file-row` in styles.css). */
export const FILE_ROW_HEIGHT = 64;

/** One picked file: name, size, hashing progress, then its BLAKE3 or why it failed. */
export const SendFileRow: Component<{
  file: SendFile;
  /** Bytes hashed so far. */
  hashed: number;
  onRemove: () => void;
}> = (props) => (
  <div class="file-row" data-status={props.file.status}>
    <div class="file-main">
      <FilePath path={props.file.path} />
      <span class="file-size">{formatBytes(props.file.size)}</span>
      <button
        type="button"
        class="icon-button"
        aria-label={`Remove ${props.file.path}`}
        onClick={() => props.onRemove()}
      >
        ×
      </button>
    </div>
    <Switch>
      <Match when={props.file.status === 'hashing'}>
        <ProgressBar
          value={props.hashed}
          max={props.file.size}
          label={`Checking ${props.file.path}`}
        />
      </Match>
      <Match when={props.file.status === 'ready'}>
        <code class="file-hash" title={`BLAKE3 ${props.file.hash ?? ''}, as b3sum prints it`}>
          {props.file.hash}
        </code>
      </Match>
      <Match when={props.file.status === 'failed'}>
        <p class="file-error">{props.file.error}</p>
      </Match>
    </Switch>
  </div>
);
