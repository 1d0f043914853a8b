/**
 * Where the client finds its API key, address and project, in this order:
 * the MITHRIL_* variables (as the Flow SDK reads them; MITHRIL_SSH_USER is ours), the `mithril` section
 * of our flow.json (address and project: it is the cluster's file, shared, so
 * it holds no key), then the user's own Flow CLI config, `~/.flow/config.yaml`
 * (`api_key`, `api_url`, `project` or `project_id`).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FlowConfig } from '../../cluster/flow-config.js';
import { noteSecret } from '../../redact.js';
import { Secret } from './secret.js';

export const DEFAULT_API_URL = 'https://api.mithril.ai';

export interface MithrilSettings {
  apiUrl: string;
  /** a project name or its `proj_` fid; resolved by the client */
  project?: string;
  key: Secret;
  /** who the driver logs in as on the instances (default ubuntu, as on Mithril's images) */
  sshUser?: string;
}

export type SettingsResult = { ok: true; settings: MithrilSettings } | { ok: false; message: string };

/** The top-level `key: value` lines of the Flow CLI's YAML config (profiles and nesting are not read). */
export function parseFlowCliConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m || m[2] === '') continue;
    let v = m[2]!.replace(/\s+#.*$/, '');
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

function flowCliConfig(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  try {
    return parseFlowCliConfig(readFileSync(join(env.HOME || homedir(), '.flow', 'config.yaml'), 'utf8'));
  } catch {
    return {};
  }
}

export function mithrilSettings(env: Readonly<Record<string, string | undefined>>, flow: FlowConfig = {}): SettingsResult {
  const file = flowCliConfig(env);
  const key = env.MITHRIL_API_KEY || file.api_key;
  if (!key) return { ok: false, message: 'no Mithril API key: set MITHRIL_API_KEY (or api_key in ~/.flow/config.yaml)' };
  noteSecret(key); // a key from the config file is hidden from every message too (redact.ts)
  const apiUrl = (env.MITHRIL_API_URL || flow.mithril?.apiUrl || file.api_url || DEFAULT_API_URL).replace(/\/+$/, '');
  try {
    const u = new URL(apiUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    return { ok: false, message: `MITHRIL_API_URL is not an http(s) URL: ${apiUrl}` };
  }
  const project = env.MITHRIL_PROJECT || flow.mithril?.project || file.project || file.project_id;
  const sshUser = env.MITHRIL_SSH_USER || flow.mithril?.sshUser || 'ubuntu';
  return { ok: true, settings: { apiUrl, key: new Secret(key), sshUser, ...(project ? { project } : {}) } };
}
