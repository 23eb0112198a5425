/** The console's shared types: what every page handler gets (a leaf module, so pages never import the wiring). */
import type { Context } from 'hono';
import type { AuthConfig } from '../principal.js';
import type { apiClient, ApiHost } from './client.js';
import type { Field, Refusal } from './forms.js';
import type { SessionUser } from './session.js';

export interface ConsoleOptions {
  /**
   * Local mode (npm start only): the sign-in page may issue a token for any role and scope. Off
   * unless the API process is told so; the API refuses to start with it unless it listens on loopback.
   */
  localSignIn?: boolean;
  /** The Temporal UI, for links to each cycle's workflow. */
  temporalUiUrl?: string;
  namespace?: string;
}

export type ConsoleEnv = { Variables: { user: SessionUser; requestId: string } };
export type ConsoleContext = Context<ConsoleEnv>;

export interface ConsoleDeps {
  api: ApiHost;
  auth: AuthConfig;
  options: ConsoleOptions;
}

/** What a page handler gets: the user's API client and helpers to answer. */
export interface PageKit {
  deps: ConsoleDeps;
  api: (c: ConsoleContext) => ReturnType<typeof apiClient>;
  /** The submitted form as plain strings. */
  form: (c: ConsoleContext) => Promise<Record<string, string>>;
  /** Posts a form's fields to the API: the answer, or the refusal to render beside the fields. */
  submit: (
    c: ConsoleContext,
    path: string,
    fields: Field[],
    form: Record<string, string>,
  ) => Promise<{ ok: true; data: any } | { ok: false; refusal: Refusal }>;
  temporalLink: (workflowId: string) => string | undefined;
  temporalQueryLink: (query: string) => string | undefined;
}

/** A form that failed: which one, what the user typed, and the API's refusal. */
export interface Failed {
  form: string;
  values: Record<string, string>;
  refusal: Refusal;
}

/**
 * What a registration's answer says of its hold (the API's `hold`), for the notice after it: a
 * person or gate held, or not yet confirmed — the user should not read "registered" as "held".
 */
export function holdNotice(hold: { state: string; name?: string } | undefined): string {
  if (hold?.state === 'placed') return `，已暂停（${hold.name}）`;
  if (hold?.state === 'pending') return '；暂停尚未确认（Temporal 未及时答复），请稍后查看';
  return '';
}
