// Ctrl-C and `docker stop`: the first SIGINT or SIGTERM asks for a clean stop; the
// listeners go with it, so a second one ends the process the default way.

/** Calls `handler` on the first SIGINT or SIGTERM; returns the function that stops listening. */
export function onStopSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  const off = (): void => {
    process.off("SIGINT", on);
    process.off("SIGTERM", on);
  };
  const on = (signal: NodeJS.Signals): void => {
    off();
    handler(signal);
  };
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return off;
}
