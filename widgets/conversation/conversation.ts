import { AiConversation } from './conversation.component.js';

export { AiConversation };

if (!customElements.get('ai-conversation')) customElements.define('ai-conversation', AiConversation);

declare global {
  interface HTMLElementTagNameMap {
    'ai-conversation': AiConversation;
  }
}
