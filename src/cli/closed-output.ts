// What the process writes once the reader of its stdout or stderr has gone away is dropped: the run goes on.

/** The errors a write to a closed pipe, or to the stream it destroyed, gives. */
const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * Keeps a run going when the reader of its output goes away (`distil-run run spec.yaml 2>&1 | head`, a log
 * collector that stops): the progress and the summary are only shown, the tables are the results. Without it,
 * Node makes the broken pipe (EPIPE) an uncaught error that it cannot print either, and the process ends with
 * exit 7 in the middle of a table.
 */
export function dropOutputWhenClosed(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== undefined && CLOSED.has(error.code)) return;
      throw error;
    });
  }
}
