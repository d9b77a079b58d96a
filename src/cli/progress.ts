/**
 * Progress for long work, on stderr, only when stderr is a terminal: one line rewritten in place
 * ("fetched 300 of 2,500 workbooks (page 3)"). When stderr is not a terminal (CI logs, pipes) it
 * prints nothing, so logs stay line-oriented and stdout stays clean for --json.
 */
import type { TextSink } from './io.js';

export interface Progress {
  update(text: string): void;
  /** Clear the progress line (before printing results). */
  done(): void;
}

const silent: Progress = { update() {}, done() {} };

export function createProgress(sink: TextSink, enabled = true): Progress {
  if (!enabled || sink.isTTY !== true) return silent;
  let shown = false;
  return {
    update(text) {
      sink.write(`\r\u001b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) sink.write('\r\u001b[2K');
      shown = false;
    },
  };
}
