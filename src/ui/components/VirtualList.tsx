import {
  type Accessor,
  createMemo,
  createSignal,
  For,
  type JSX,
  onCleanup,
  onMount,
} from 'solid-js';

/** Rows drawn beyond the visible ones, above and below, so fast scrolling shows no gap. */
const OVERSCAN = 8;
/** Lists up to this long are drawn whole (cheap, and simplest for assistive technology). */
const DRAW_ALL_UP_TO = 60;

/**
 * A list whose rows all have one height, drawn only where the page shows it:
 * a thousand files cost the browser a screenful of rows, not a thousand
 * (layout and paint per progress frame stay small). The page scrolls as
 * usual, or with `scrolls` the list is its own scroll box (its height capped
 * by its class), so what follows it stays in reach; rows carry their
 * position for screen readers.
 */
export function VirtualList<T>(props: {
  items: readonly T[];
  /** Row height in px (rows must be exactly this tall). */
  rowHeight: number;
  label: string;
  class?: string;
  /** The list scrolls itself (keyboard-focusable) instead of with the page. */
  scrolls?: boolean;
  children: (item: T, index: Accessor<number>) => JSX.Element;
}): JSX.Element {
  let list!: HTMLUListElement;
  let scroller: HTMLElement | undefined;
  const [view, setView] = createSignal({ top: 0, height: 800 });
  const measure = () => {
    if (scroller) return setView({ top: -scroller.scrollTop, height: scroller.clientHeight });
    const rect = list.getBoundingClientRect();
    setView({ top: rect.top, height: window.innerHeight });
  };
  onMount(() => {
    measure();
    window.addEventListener('scroll', measure, { passive: true });
    window.addEventListener('resize', measure);
    scroller?.addEventListener('scroll', measure, { passive: true });
    onCleanup(() => {
      window.removeEventListener('scroll', measure);
      window.removeEventListener('resize', measure);
      scroller?.removeEventListener('scroll', measure);
    });
  });
  const range = createMemo(
    () => {
      const n = props.items.length;
      if (n <= DRAW_ALL_UP_TO) return { start: 0, end: n };
      const { top, height } = view();
      const first = Math.floor(-top / props.rowHeight) - OVERSCAN;
      const last = Math.ceil((height - top) / props.rowHeight) + OVERSCAN;
      return { start: Math.max(0, Math.min(n, first)), end: Math.max(0, Math.min(n, last)) };
    },
    undefined,
    { equals: (a, b) => a.start === b.start && a.end === b.end },
  );
  // The same item objects as before, so rows that stay in view are kept, not drawn again.
  const shown = createMemo(() => props.items.slice(range().start, range().end));
  // The spacers are the list's padding: in its own scroll box they must sit inside the box
  // (padding on the box itself would make it as tall as the whole list).
  const ul = (
    <ul
      ref={list}
      class={props.class}
      aria-label={props.label}
      style={{
        'padding-top': `${range().start * props.rowHeight}px`,
        'padding-bottom': `${(props.items.length - range().end) * props.rowHeight}px`,
      }}
    >
      <For each={shown()}>
        {(item, k) => (
          <li
            style={{ height: `${props.rowHeight}px` }}
            aria-setsize={props.items.length}
            aria-posinset={range().start + k() + 1}
          >
            {props.children(item, () => range().start + k())}
          </li>
        )}
      </For>
    </ul>
  );
  if (!props.scrolls) return ul;
  return (
    // A scroll box must be reachable from the keyboard to be scrolled without a mouse.
    // A labelled section is a region: the box is named where a screen reader lands on it.
    <section ref={scroller} class="own-scroll" aria-label={props.label} tabindex={0}>
      {ul}
    </section>
  );
}
