// The host CRM's own script: what any page embedding the AI Receptionist widgets writes.
// Plain JavaScript, no build step: the widgets come from the single-file bundle.
import { configure } from '/dist/ai-receptionist.min.js';

const WIDGETS = 'ai-system-health-bar, ai-activity-feed, ai-conversation, ai-metrics-dashboard, ai-error-log, ai-roi-metrics, ai-skills-heatmap';
const THEMES = ['light', 'dark', 'partner'];
const THEME_KEY = 'keystone-crm.theme';
const DASHBOARD_API = '/api/v1/ai-receptionist/dashboard';

/**
 * Embed tokens come from the CRM's own backend, which mints a short-lived one for the signed-in
 * user; the widgets call this again before a token expires and after a 401. The browser never
 * holds an API key.
 */
async function getToken() {
  const response = await fetch('/demo/token', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`The CRM could not issue an embed token (HTTP ${response.status}).`);
  const { token } = await response.json();
  return token;
}

// The API is served from this page's origin; a CRM on another origin would give its URL here.
configure({ apiBase: '', getToken });

/* ---------- Theme: light, dark, or the partner brand ---------- */

const themeSelect = /** @type {HTMLSelectElement} */ (document.getElementById('theme-select'));

function readTheme() {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    if (stored && THEMES.includes(stored)) return stored;
  } catch {
    // Storage can be unavailable (private mode, blocked cookies): fall back to the system setting.
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The page's colours follow `data-theme`; the widgets get `theme`, and the partner brand's tokens come from demo.css. */
function applyTheme(name) {
  document.documentElement.dataset.theme = name;
  const widgetTheme = name === 'dark' ? 'dark' : 'light';
  for (const widget of document.querySelectorAll(WIDGETS)) widget.setAttribute('theme', widgetTheme);
}

const initialTheme = readTheme();
themeSelect.value = initialTheme;
applyTheme(initialTheme);

themeSelect.addEventListener('change', () => {
  applyTheme(themeSelect.value);
  try {
    localStorage.setItem(THEME_KEY, themeSelect.value);
  } catch {
    // Not persisted; the choice still holds for this visit.
  }
});

/* ---------- The conversation of the activity selected in the feed ---------- */

const conversation = document.querySelector('ai-conversation');
const conversationNote = document.getElementById('conversation-note');
let selectedByUser = false;

function showConversation(id) {
  conversation.setAttribute('conversation-id', id);
  conversationNote.textContent = '';
}

document.addEventListener('ai-activity-select', (event) => {
  const { activity } = event.detail;
  selectedByUser = true;
  if (activity.conversation_id) {
    showConversation(activity.conversation_id);
  } else {
    const who = activity.client_name || activity.client_phone || 'This caller';
    conversationNote.textContent = `${who}: this activity has no recorded conversation. Showing the previous one.`;
  }
});

/** Until the user picks an activity, the panel shows the newest conversation (read with the same embed token). */
async function showNewestConversation() {
  const response = await fetch(`${DASHBOARD_API}/conversations?limit=1`, {
    headers: { Authorization: `Bearer ${await getToken()}`, Accept: 'application/json' },
  });
  if (!response.ok) return;
  const { data } = await response.json();
  if (data.length > 0 && !selectedByUser) showConversation(data[0].id);
}

showNewestConversation().catch(() => {
  // The widget shows its own empty state; nothing to add.
});

/* ---------- The rest of the mock CRM ---------- */

document.querySelector('form.search')?.addEventListener('submit', (event) => event.preventDefault());
