import { type Component, Show } from 'solid-js';
import { useStores } from '../stores/app-store';

/** The Receive screen: open a Ferry link (pasted, or opened directly) and see what it points to. */
export const ReceivePage: Component = () => {
  const [state, actions] = useStores().receive;
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
      <Show when={state.error}>
        <p class="error" role="alert">
          {state.error}
        </p>
      </Show>
      <Show when={state.ticket}>
        {(t) => (
          <div class="ticket-card" role="status">
            <p>This is a valid Ferry link.</p>
            <dl>
              <dt>Rendezvous server</dt>
              <dd>{t().relay}</dd>
              <Show when={t().collectionCode}>
                <dt>Verification code</dt>
                <dd>
                  <strong class="code">{t().collectionCode}</strong> — it must match the code on the
                  sending device.
                </dd>
              </Show>
            </dl>
          </div>
        )}
      </Show>
    </section>
  );
};
