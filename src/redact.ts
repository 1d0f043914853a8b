/**
 * The one place secrets are taken out of what we print and log: every
 * error line (run-main.ts), everything a command writes to stderr (io.ts)
 * and every line of the controller's log pass through `redact`. A secret is
 * the password of FLOW_REDIS_URL, MITHRIL_API_KEY (and any *_API_KEY,
 * *_PASSWORD, *_SECRET, *_TOKEN variable), a key read from a file
 * (`noteSecret`), and the password part of any URL in the text.
 */
type Env = Readonly<Record<string, string | undefined>>;

const MASK = '***';
const SECRET_NAME = /(^|_)(API_KEY|PASSWORD|PASSWD|SECRET|TOKEN)$|^REDISCLI_AUTH$/;
/** scheme://user:password@ — the user name stays, the password goes */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*):[^\s/]*@/gi;

/**
 * Secrets noted in this process, shared by every bundle loaded in it (the
 * controller, Mithril and emulator bundles each have their own copy of this module).
 */
const noted: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('flow-slurm.secrets')] ??= new Set<string>()) as Set<string>;

/** A secret read from somewhere other than the environment (a key in a config file). */
export function noteSecret(value: string | undefined): void {
  if (value) noted.add(value);
}

/** The secrets the environment holds: the password of FLOW_REDIS_URL, as written and decoded, and keys by name. */
export function secretsOf(env: Env): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    // a short value under such a name is a flag, not a secret: hiding it would garble every message
    if (value && value.length >= 6 && SECRET_NAME.test(name)) out.push(value);
  }
  const url = env.FLOW_REDIS_URL;
  const at = url ? url.lastIndexOf('@') : -1;
  if (url && at > 0) {
    const userinfo = url.slice(url.indexOf('//') + 2, at);
    const colon = userinfo.indexOf(':');
    const password = colon >= 0 ? userinfo.slice(colon + 1) : '';
    if (password) {
      out.push(password);
      try {
        out.push(decodeURIComponent(password));
      } catch {
        // not percent-encoded text: as written is all there is
      }
    }
  }
  return out;
}

/** Remember the environment's secrets, so a variable removed later (flow pricing drops MITHRIL_API_KEY) stays hidden. */
export function noteSecretsOf(env: Env): void {
  for (const s of secretsOf(env)) noted.add(s);
}

/** `text` with every secret replaced by `***`. */
export function redact(text: string, env?: Env): string {
  // longest first: a secret that contains another is hidden whole
  const secrets = [...new Set([...noted, ...(env ? secretsOf(env) : [])])].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
  return out.replace(URL_PASSWORD, `$1:${MASK}@`);
}
