// The console's login through plain HTTP (no browser): the login page's CSRF cookie and
// token, then the form. Used by the tests that need a logged-in session or a login attempt.

export interface LoginForm {
  /** the Cookie header value of the login page's cookies (the signed CSRF secret) */
  cookie: string;
  /** the form's CSRF token */
  csrf: string;
}

const cookiesOf = (r: Response): string => r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

/** Cookie headers merged as a browser would: a later cookie of the same name replaces the earlier one. */
const mergeCookies = (...headers: string[]): string => {
  const jar = new Map<string, string>();
  for (const pair of headers.flatMap((h) => h.split("; ")).filter(Boolean)) jar.set(pair.split("=")[0]!, pair);
  return [...jar.values()].join("; ");
};

/** GET /login: its cookie and CSRF token (`headers`: e.g. X-Forwarded-For). */
export async function loginForm(at: string, headers: Record<string, string> = {}): Promise<LoginForm> {
  const form = await fetch(`${at}/login`, { headers });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error(`GET /login answered ${form.status} without a CSRF token`);
  return { cookie: cookiesOf(form), csrf };
}

/** POST /login with a form from `loginForm` (or one of its own): the status and the cookies to send next. */
export async function postLogin(at: string, form: LoginForm, token: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string; retryAfter: string | null }> {
  const r = await fetch(`${at}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, cookie: form.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: form.csrf, token }),
  });
  await r.arrayBuffer();
  return { status: r.status, cookie: mergeCookies(form.cookie, cookiesOf(r)), retryAfter: r.headers.get("retry-after") };
}

/** A login through plain HTTP: the form, then the token. */
export async function httpLogin(at: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string; retryAfter: string | null }> {
  return postLogin(at, await loginForm(at, headers), token, headers);
}
