/** Path of the Chromium binary: $CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath(): string;
/** True when the Chromium binary exists. */
export function chromiumExists(): boolean;
/** Flags for headless Chromium on this kind of machine. */
export function chromiumArgs(): string[];
