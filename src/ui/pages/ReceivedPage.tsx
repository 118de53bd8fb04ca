import { type Component, createSignal, For, onMount, Show } from 'solid-js';
import { formatBytes, formatCount, formatNumber } from '../../core/format';
import { ErrorNote } from '../components/ErrorNote';
import { ProgressBar } from '../components/ProgressBar';
import { useStores } from '../stores/app-store';
import type { ReceivedItem, ReceivedState } from '../stores/received-store';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One kept transfer: what it is, how far it came, and what can be done with it. */
const ReceivedCard: Component<{ item: ReceivedItem }> = (props) => {
  const [state, actions] = useStores().received;
  const [confirming, setConfirming] = createSignal(false);
  const item = () => props.item;
  const titleId = () => `received-${item().hash.slice(0, 16)}`;
  return (
    <li class="received-item" aria-labelledby={titleId()}>
      <div class="received-head">
        <h2 id={titleId()} class="received-title">
          {item().title}
        </h2>
        <span class="code" title="Verification code">
          {item().code}
        </span>
      </div>
      <p class="muted">
        {dateFormat.format(item().receivedAt)} · {formatCount(item().chosenFiles, 'file')} ·{' '}
        {formatBytes(item().chosenBytes)}
        <Show when={item().chosenFiles < item().offeredFiles}>
          {' '}
          (of {formatNumber(item().offeredFiles)} offered)
        </Show>
      </p>
      <Show
        when={item().complete}
        fallback={
          <>
            <p>
              Unfinished: {formatBytes(item().verifiedBytes)} of {formatBytes(item().chosenBytes)}{' '}
              received and verified.
            </p>
            <ProgressBar
              value={item().verifiedBytes}
              max={item().chosenBytes}
              label={`${item().title} received`}
            />
          </>
        }
      >
        <p class="ok">Complete and verified.</p>
      </Show>
      <div class="row">
        <Show when={!item().complete && item().link}>
          <a class="button primary" href={item().link!}>
            Resume
          </a>
        </Show>
        <Show when={item().doneFiles > 0}>
          <button type="button" class="button" onClick={() => void actions.save(item().hash)}>
            {item().doneFiles === 1 ? 'Download' : 'Download zip'}
          </button>
          <Show when={state.canSaveToFolder}>
            <button
              type="button"
              class="button"
              onClick={() => void actions.saveToFolder(item().hash)}
            >
              Save to folder
            </button>
          </Show>
        </Show>
        <Show
          when={confirming()}
          fallback={
            <button type="button" class="button" onClick={() => setConfirming(true)}>
              Delete
            </button>
          }
        >
          <button
            type="button"
            class="button danger"
            onClick={() => void actions.remove(item().hash)}
          >
            Delete for good
          </button>
          <button type="button" class="button" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </Show>
      </div>
    </li>
  );
};

/** What this browser keeps, how much more it allows, and when it may delete it, as sentences. */
function storageLine(s: NonNullable<ReceivedState['storage']>): string {
  const size = s.estimated
    ? `Ferry keeps ${formatBytes(s.usage)} in this browser; ${formatBytes(s.available)} more is available.`
    : 'This browser does not say how much space Ferry may use.';
  if (s.persisted) return `${size} The browser will not clear it on its own.`;
  if (s.evictsUnvisited)
    return `${size} Safari deletes it after 7 days without a visit to Ferry, unless Ferry is added to the Home Screen (or to the Dock on a Mac): save what you want to keep.`;
  return `${size} The browser may clear it if the device runs low on space.`;
}

/** The Received screen: past and unfinished transfers kept in this browser, and the space they take. */
export const ReceivedPage: Component = () => {
  const [state, actions] = useStores().received;
  onMount(() => void actions.refresh());
  return (
    <section class="page" aria-labelledby="received-title">
      <h1 id="received-title">Received</h1>
      <Show when={state.storage}>
        {(s) => <p class="muted storage-line">{storageLine(s())}</p>}
      </Show>
      {/* Always there, so screen readers announce it; shown once it says something (such as renames). */}
      <p role="status" class={state.message ? 'muted' : 'visually-hidden'}>
        {state.message}
      </p>
      <ErrorNote text={state.error} />
      <Show when={state.items}>
        {(items) => (
          <Show
            when={items().length > 0}
            fallback={
              <p class="empty-note">
                Nothing received yet. What you receive stays in this browser until you delete it
                here.
              </p>
            }
          >
            <ul class="received-list" aria-label="Received transfers">
              <For each={items()}>{(item) => <ReceivedCard item={item} />}</For>
            </ul>
          </Show>
        )}
      </Show>
    </section>
  );
};
