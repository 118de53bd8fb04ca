import { type Component, createSignal, For, Show } from 'solid-js';
import { formatBytes, formatRate, rateLine } from '../../core/format';
import { describePath } from '../../core/session/connection-path';
import type { SendReceiver, Share } from '../stores/send-store';
import { ProgressBar } from './ProgressBar';
import { QrCode } from './QrCode';

const SIGNALING_TEXT: Record<Share['signaling'], string> = {
  connecting: 'Opening the link…',
  open: 'Link ready. Open it on the other device.',
  reconnecting: 'Reconnecting to the Ferry server…',
  failed: 'Sharing stopped.',
};

/** How far one receiver has come with what it said it would fetch: a bar, rate and time left. */
const ReceiverProgress: Component<{ receiver: SendReceiver; label: string }> = (props) => {
  const done = () => Math.max(0, props.receiver.sentBytes - props.receiver.planFrom);
  const plan = () => props.receiver.planBytes ?? 0;
  const eta = () =>
    props.receiver.rate > 0 ? Math.max(0, plan() - done()) / props.receiver.rate : null;
  const line = () => rateLine({ rate: props.receiver.rate, etaSeconds: eta() });
  return (
    <div class="receiver-progress">
      <ProgressBar value={Math.min(done(), plan())} max={plan()} label={props.label} />
      <span class="muted">
        {formatBytes(Math.min(done(), plan()))} of {formatBytes(plan())}
        <Show when={props.receiver.status !== 'gone' && done() < plan() && line()}>
          {` · ${line()}`}
        </Show>
      </span>
    </div>
  );
};

/** The link to give the other device, and who is connected through it. */
export const SharePanel: Component<{
  share: Share;
  /** The verification code, once every file is checked (null while hashing). */
  code: string | null;
  onStop: () => void;
}> = (props) => {
  const [copied, setCopied] = createSignal<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.share.link);
      setCopied('Copied');
    } catch {
      setCopied('Select the link and copy it');
    }
    setTimeout(() => setCopied(null), 2500);
  };
  const canShare = () =>
    typeof navigator.share === 'function' &&
    (navigator.canShare?.({ url: props.share.link }) ?? true);
  const shareLink = () =>
    navigator.share({ title: 'Ferry', text: 'Files for you', url: props.share.link }).catch(() => {
      // The person closed the share sheet; nothing to report.
    });
  return (
    <section class="share-panel" aria-labelledby="share-title">
      <h2 id="share-title">Share</h2>
      <QrCode text={props.share.link} label="QR code of the receive link" />
      <div class="share-details">
        <p>
          <a class="share-link" href={props.share.link} target="_blank" rel="noopener">
            {/* Named "Receive link" for screen readers, and the visible address is part of the name. */}
            <span class="visually-hidden">Receive link: </span>
            {props.share.link}
          </a>
        </p>
        <div class="row">
          <button type="button" class="button primary" onClick={copy}>
            Copy link
          </button>
          <Show when={canShare()}>
            <button type="button" class="button" onClick={shareLink}>
              Share
            </button>
          </Show>
          <button type="button" class="button" onClick={() => props.onStop()}>
            Stop sharing
          </button>
          <span class="copied" aria-live="polite">
            {copied()}
          </span>
        </div>
        <p class="muted">
          {props.share.problem ?? SIGNALING_TEXT[props.share.signaling]}{' '}
          <Show
            when={props.code}
            fallback="Files are still being checked: the other device can open the link and start receiving now."
          >
            {(code) => (
              <>
                The other device must show the code <strong class="code">{code()}</strong>.
              </>
            )}
          </Show>
        </p>
        <Show when={props.share.receivers.length > 0}>
          <ul class="receivers" aria-label="Receivers">
            <For each={props.share.receivers}>
              {(r, i) => (
                <li>
                  Receiver {i() + 1}:{' '}
                  {r.status === 'gone'
                    ? 'disconnected'
                    : r.status === 'failed'
                      ? 'could not connect'
                      : r.status === 'connected'
                        ? `connected over ${r.streams} streams`
                        : `connecting (${r.streamsUp} of ${r.streams} streams)`}
                  <Show when={r.sentBytes > 0}>
                    {' '}
                    · <span class="sent">{formatBytes(r.sentBytes)} sent</span>
                  </Show>
                  <Show when={r.status !== 'gone' && r.rate > 0 && r.planBytes === null}>
                    {' '}
                    · <span class="rate">{formatRate(r.rate)}</span>
                  </Show>
                  <Show when={r.status === 'connected' && r.path}>
                    {(path) => <span class="path">{describePath(path())}</span>}
                  </Show>
                  <Show when={r.status === 'failed' && r.problem}>
                    {(problem) => <span class="path error">{problem()}</span>}
                  </Show>
                  <Show when={r.planBytes !== null && r.planBytes > 0}>
                    <ReceiverProgress receiver={r} label={`Receiver ${i() + 1} progress`} />
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </section>
  );
};
