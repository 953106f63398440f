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
 *
 * The design tokens every panel reads (set them anywhere above the widget; each applies in both themes):
 * @cssproperty [--ai-color-surface=#ffffff] - Panel background (dark: #0f1419).
 * @cssproperty [--ai-color-surface-raised=#f6f8fa] - Raised areas: buttons, expanded rows (dark: #161b22).
 * @cssproperty [--ai-color-surface-sunken=#eef1f4] - Hover and skeleton shades (dark: #21262d).
 * @cssproperty [--ai-color-text=#1f2328] - Text (dark: #e6edf3).
 * @cssproperty [--ai-color-text-muted=#57606a] - Secondary text (dark: #9ba5b0).
 * @cssproperty [--ai-color-border=#d0d7de] - Borders and rules (dark: #30363d).
 * @cssproperty [--ai-color-accent=#0b62c4] - Brand accent: selection, primary actions, charts (dark: #58a6ff).
 * @cssproperty [--ai-color-accent-contrast=#ffffff] - Text on the accent (dark: #0b1220).
 * @cssproperty [--ai-color-focus=#0b62c4] - The focus ring (dark: #79b8ff).
 * @cssproperty [--ai-color-success=#1a7f37] - Good: operational, success (dark: #3fb950).
 * @cssproperty [--ai-color-warning=#8a5a00] - Attention: degraded, medium (dark: #d29922).
 * @cssproperty [--ai-color-danger=#c4212e] - Bad: down, failed, critical (dark: #ff7b72).
 * @cssproperty [--ai-color-neutral=#57606a] - Unknown, pending (dark: #9ba5b0).
 * @cssproperty [--ai-font-family=system-ui] - Text font.
 * @cssproperty [--ai-font-family-mono=ui-monospace] - Monospace font.
 * @cssproperty [--ai-font-size-md=0.875rem] - Base size (also `-xs` 0.75rem, `-sm` 0.8125rem, `-lg` 1rem, `-xl` 1.25rem).
 * @cssproperty [--ai-radius-md=8px] - Corner radius (also `-sm` 4px, `-lg` 12px: the panel).
 * @cssproperty [--ai-space-3=12px] - Spacing scale (`-1` 4px, `-2` 8px, `-3` 12px, `-4` 16px).
 * @cssproperty [--ai-shadow-popover=0 6px 24px rgb(0 0 0 / 0.16)] - Shadow of tooltips and popovers.
 * @cssproperty [--ai-motion-duration=150ms] - Length of transitions (none under prefers-reduced-motion).
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
