import { type Component, Show } from 'solid-js';

/** A sentence saying what went wrong, announced by screen readers; nothing when there is none. */
export const ErrorNote: Component<{ text: string | null }> = (props) => (
  <Show when={props.text}>
    <p class="error" role="alert">
      {props.text}
    </p>
  </Show>
);
