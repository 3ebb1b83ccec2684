// What an operator does about a failed run, by WeChat errcode (see the wechat-api notes'
// table and src/wechat/errcodes.ts, which decides the behaviour; this only explains it).
const ADVICE: [number[], string][] = [
  [[-1], "WeChat was busy; the run is retried with backoff. Nothing to do unless it keeps failing."],
  [[40001, 40014, 42001], "The access token was rejected and refreshed. If this repeats, another system may be fetching tokens for this app with the legacy endpoint: switch it to the stable token or let mpsync be the only fetcher."],
  [[45011], "Per-minute frequency limit: the next run waits for the next minute. Lower the account's concurrency if it persists."],
  [[45009], "The daily API quota is used up: the account is throttled until the quota resets (midnight, Beijing time). Resync later, or reset the quota in the WeChat admin console (limited times per month)."],
  [[40013, 40125], "Wrong AppID or AppSecret: fix the account's configuration (environment or accounts file) and restart the workers."],
  [[40164, 89503], "WeChat refuses this server's IP: add the worker's outgoing IP to the account's IP whitelist (WeChat admin console → Development → Basic configuration)."],
  [[48001, 48004, 50001, 50002], "The account is not authorised for this API (or is restricted): check the account's type and permissions in the WeChat admin console."],
  [[45106], "WeChat retired this API; upgrade mpsync."],
  [[61023], "The third-party authorisation expired: the account must authorise the platform again and the new refresh token be configured."],
];

export function adviceFor(errcode: number | null, message: string | null): string | null {
  if (errcode !== null) {
    const hit = ADVICE.find(([codes]) => codes.includes(errcode));
    if (hit) return hit[1];
    return `WeChat answered errcode ${errcode}; look it up in WeChat's global return codes. A retry gives the same answer until the cause is fixed.`;
  }
  if (message) return "Not a WeChat error: see the message and the worker log around the run's start time. Transport errors and timeouts are retried; a resync starts over from the checkpoint.";
  return null;
}
