// A counting semaphore: bounds the requests one account has in flight in this process,
// across all its sources, so running the five sources side by side never asks WeChat
// for more than the account's configured concurrency at once.
export interface Limiter {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (active < max) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot passes over directly
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
