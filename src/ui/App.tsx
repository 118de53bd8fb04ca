import { type Component, Match, Show, Switch } from 'solid-js';
import { ReceivedPage } from './pages/ReceivedPage';
import { ReceivePage } from './pages/ReceivePage';
import { SendPage } from './pages/SendPage';
import { type AppStores, StoresContext } from './stores/app-store';

/** The app frame: header with the two screens, notices, and the current screen. */
export const App: Component<{ stores: AppStores }> = (props) => (
  <StoresContext.Provider value={props.stores}>
    <header class="app-header">
      <a class="brand" href="#send" aria-label="Ferry home">
        <img src="/icon.svg" alt="" width="28" height="28" />
        <span>Ferry</span>
      </a>
      <nav aria-label="Screens">
        <a href="#send" aria-current={props.stores.route() === 'send' ? 'page' : undefined}>
          Send
        </a>
        <a href="#receive" aria-current={props.stores.route() === 'receive' ? 'page' : undefined}>
          Receive
        </a>
        <a href="#received" aria-current={props.stores.route() === 'received' ? 'page' : undefined}>
          Received
        </a>
      </nav>
    </header>
    <Show when={!props.stores.online()}>
      <p class="notice" role="status">
        You are offline. You can still pick and check files; sending needs a connection.
      </p>
    </Show>
    <Show when={props.stores.shareProblem()}>
      {(problem) => (
        <p class="notice" role="alert">
          {problem()}
        </p>
      )}
    </Show>
    <Show when={props.stores.update()}>
      {(activate) => (
        <div class="notice update" role="status">
          New version available.{' '}
          <button type="button" class="button" onClick={() => activate()()}>
            Reload
          </button>
        </div>
      )}
    </Show>
    <main id="main">
      <Switch>
        <Match when={props.stores.route() === 'send'}>
          <SendPage />
        </Match>
        <Match when={props.stores.route() === 'receive'}>
          <ReceivePage />
        </Match>
        <Match when={props.stores.route() === 'received'}>
          <ReceivedPage />
        </Match>
      </Switch>
    </main>
  </StoresContext.Provider>
);
