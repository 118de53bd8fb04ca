import { type Component, Show } from 'solid-js';

/** A file's path with its folders quieter than its name, so a long tree stays readable. */
export const FilePath: Component<{ path: string }> = (props) => {
  const cut = () => props.path.lastIndexOf('/') + 1;
  return (
    <span class="file-name" title={props.path}>
      <Show when={cut() > 0}>
        <span class="file-dir">{props.path.slice(0, cut())}</span>
      </Show>
      {props.path.slice(cut())}
    </span>
  );
};
