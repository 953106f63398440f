import { LitElement } from 'lit';
import { property, state } from 'lit/decorators.js';
import { clientFor, type ApiClient } from './api-client.js';
import { onConfigure, pageConfig } from './config.js';
import { credentialFor } from './credential.js';
import { formatFor, localeOf, type Format } from './format.js';
import { base } from './base.styles.js';
import { tokens } from './theme.styles.js';

/** The names of the events the widgets fire, from the tag maps each widget adds to. */
type AiEventName = {
  [K in keyof GlobalEventHandlersEventMap]: K extends `ai-${string}` ? K : never;
}[keyof GlobalEventHandlersEventMap];
type DetailOf<K extends keyof GlobalEventHandlersEventMap> = GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never;

/**
 * The base of every panel: where the API is and which credential to use (its own `api-base` and
 * `token` attributes, else the page's `configure()`), the theme and locale, and a typed `emit()`.
 */
export class AiElement extends LitElement {
  static styles = [tokens, base];

  /** The API's base URL; defaults to `configure({ apiBase })`, else the page's origin. */
  @property({ attribute: 'api-base' }) apiBase?: string;

  /** An embed token for this widget alone; defaults to `configure({ token | getToken })`. */
  @property() token?: string;

  /** `light` or `dark`; without it the widget follows `prefers-color-scheme`. */
  @property({ reflect: true }) theme?: 'light' | 'dark';

  /** A BCP 47 locale for numbers and dates; defaults to the page's `lang`, else the browser's. */
  @property() locale?: string;

  /** Bumped by `configure()`, so widgets re-read the page configuration. */
  @state() protected configVersion = 0;

  #offConfigure: (() => void) | undefined;

  /** The API client for this widget's API base and credential; undefined until one is configured. */
  get client(): ApiClient | undefined {
    const page = pageConfig();
    const credential = this.token ? credentialFor(this.token, undefined) : credentialFor(page.token, page.getToken);
    return credential && clientFor(this.apiBase ?? page.apiBase ?? '', credential);
  }

  get format(): Format {
    return formatFor(localeOf(this, this.locale));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#offConfigure = onConfigure(() => this.configVersion++);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#offConfigure?.();
  }

  /** Fires an `ai-` event that bubbles out of the shadow root; answers it so callers can check `defaultPrevented`. */
  protected emit<K extends AiEventName>(name: K, detail: DetailOf<K>, options: { cancelable?: boolean } = {}): CustomEvent<DetailOf<K>> {
    const event = new CustomEvent(name, { bubbles: true, composed: true, cancelable: options.cancelable ?? false, detail });
    this.dispatchEvent(event);
    return event;
  }
}
