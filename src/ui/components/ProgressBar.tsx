import type { Component } from 'solid-js';

/** An accessible progress bar (`role="progressbar"`, value in percent). */
export const ProgressBar: Component<{ value: number; max: number; label: string }> = (props) => {
  const fraction = () => (props.max > 0 ? Math.min(1, Math.max(0, props.value / props.max)) : 1);
  const percent = () =>
    props.max > 0 ? Math.min(100, Math.round((props.value / props.max) * 100)) : 100;
  return (
    <div
      class="progress"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent()}
    >
      <div class="progress-fill" style={{ transform: `scaleX(${fraction()})` }} />
    </div>
  );
};
