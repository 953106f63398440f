/**
 * Deterministic demo data for one tenant: borrowers calling and texting a mortgage company's AI
 * receptionist, with the activities, errors, skill scores and integration health that follow.
 *
 * Everything comes from one seeded PRNG (ids included), so the same seed, options and `now` give
 * the same rows. Conversations are planned turn by turn and their activities are derived from the
 * turns, so a feed row, its transcript and its skill's score always agree. Skill scores are
 * computed from the activities written, not from the designed accuracies.
 *
 * Bulk mode (`rows`) adds activity-only conversations, generated and inserted in timestamp order
 * with raw prepared statements, until the tenant has exactly `rows` activities.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import type {
  ActionType,
  Channel,
  ErrorType,
  HealthStatus,
  OutcomeStatus,
  ResolutionStatus,
  Sentiment,
  Severity,
  TranscriptTurn,
} from '../db/schema.js';
import { scoreSkill, type SkillSample } from '../domain/skills.js';
import { addDays, DAY, HOUR, QUARTER_HOUR, zone, type Zone } from '../lib/time.js';
import {
  AREA_CODES,
  ASSISTANT,
  BOOKING_CHANCE,
  BORROWERS,
  COMPANY,
  COMPONENTS,
  ENGLISH,
  INTENT_SKILL,
  INTENT_SUMMARY,
  INTENT_WEIGHTS,
  INTENTS,
  LEAD_STAGES,
  LOAN_OFFICERS,
  LOW_CONFIDENCE_DIAGNOSES,
  MEETING_KINDS,
  OPS_REVIEWERS,
  OUTBOUND_INTENTS,
  OUTBOUND_SUMMARY,
  PRESCREEN_CHANCE,
  SKILL,
  SKILL_DESIGNS,
  SPANISH,
  SPANISH_SPEAKING_OFFICER,
  STAGE_COUNTS,
  UNCOVERED_TOPICS,
  type Intent,
  type LeadStage,
  type Phrasebook,
  type PrescreenReply,
  type SkillDesign,
} from './data.js';

export interface SeedOptions {
  tenantId: number;
  /** The tenant's IANA zone; days begin at its local midnight. */
  timezone: string;
  /** PRNG seed, default 42: the same seed, options and `now` give identical data. */
  seed?: number;
  /** Days of history ending now, today's partial day included; default 14. */
  days?: number;
  /** Conversations with transcripts per day, default 150 (in bulk mode too, alongside the activity-only ones). */
  perDay?: number;
  /** Bulk mode: exactly this many activity rows over `days`. */
  rows?: number;
  /** Milliseconds; default Date.now(). */
  now?: number;
  /** Called every 10,000 activity rows in bulk mode. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  activities: number;
  /** Conversations with transcripts (rows of the conversations table). */
  conversations: number;
  errors: number;
  skills: number;
  components: number;
}

const MINUTE = 60_000;
const MIN_TURNS = 4;
const MAX_TURNS = 12;
const MIN_DURATION = 30_000;
const MAX_DURATION = 9 * MINUTE;
const OUTBOUND_SHARE = 0.12 / 0.95; // of the non-chat conversations, so ~12% overall
const SPANISH_SHARE = 0.7; // of a Spanish-speaking borrower's conversations
const VOICEMAIL_SHARE = 0.35; // of after-hours inbound calls
const LOGGED_UNCERTAINTY_SHARE = 0.2; // uncertain answers that are also logged as errors
const PRESCREENED_BOOKING = 2; // times an intent's BOOKING_CHANCE, once the lead is pre-screened
/**
 * Activity ids and conversation ids are random, so every commit rewrites most pages of their
 * indexes to the write-ahead log: at 1M rows, 25k-row commits took a third longer than 100k-row
 * ones, and larger ones gained nothing.
 */
const ROWS_PER_TRANSACTION = 100_000;
const PROGRESS_EVERY = 10_000;
const CHECK_INTERVAL = 5 * MINUTE;
const CHECKS_PER_DAY = DAY / CHECK_INTERVAL;
const CHECK_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Randomness

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Where a seeding run's ids come from: a sequence number shared by all its random streams and the
 * tenant's id, so ids never collide between streams or between tenants seeded with the same seed.
 */
class IdSpace {
  sequence = 0;
  constructor(readonly tenantId: number) {}
}

/** mulberry32: tiny, fast, and plenty for demo data. Never Math.random, so runs repeat. */
class Rng {
  #state: number;

  constructor(
    seed: number,
    readonly ids: IdSpace,
  ) {
    this.#state = seed >>> 0;
  }

  /** An independent stream drawing ids from the same space. */
  derive(): Rng {
    return new Rng(this.uint32(), this.ids);
  }

  uint32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4_294_967_296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  int(min: number, max: number): number {
    return min + Math.floor((max - min + 1) * this.next());
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(items.length * this.next())]!;
  }

  /** Long-tailed around a median (log-normal, by Box–Muller). */
  logNormal(median: number, sigma: number): number {
    const z = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(sigma * z);
  }

  /** Knuth's method; the means here are small (conversations per quarter hour). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  /** A UUID v4-formatted id: the run's sequence number, random bits, and the tenant's id. */
  uuid(): string {
    const a = this.ids.sequence++ >>> 0, b = this.uint32(), c = this.uint32(), d = this.ids.tenantId >>> 0;
    return (
      HEX[a >>> 24]! + HEX[(a >>> 16) & 255] + HEX[(a >>> 8) & 255] + HEX[a & 255] + '-' +
      HEX[b >>> 24] + HEX[(b >>> 16) & 255] + '-' +
      HEX[((b >>> 8) & 15) | 0x40] + HEX[b & 255] + '-' +
      HEX[((c >>> 24) & 63) | 0x80] + HEX[(c >>> 16) & 255] + '-' +
      HEX[(c >>> 8) & 255] + HEX[c & 255] + HEX[d >>> 24] + HEX[(d >>> 16) & 255] + HEX[(d >>> 8) & 255] + HEX[d & 255]
    );
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor((i + 1) * this.next());
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

class Weighted<T> {
  readonly #items: T[] = [];
  readonly #cumulative: number[] = [];

  constructor(entries: Iterable<readonly [T, number]>) {
    let total = 0;
    for (const [item, weight] of entries) {
      if (weight <= 0) continue;
      total += weight;
      this.#items.push(item);
      this.#cumulative.push(total);
    }
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.#cumulative[this.#cumulative.length - 1]!;
    let lo = 0, hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.#items[lo]!;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));

// ---------------------------------------------------------------------------------------------
// Templates: "{name}" placeholders, split once per template and then joined per use.

type Vars = Record<string, string>;
const compiledTemplates = new Map<string, string[]>();

function render(template: string, vars: Vars): string {
  let parts = compiledTemplates.get(template);
  if (!parts) {
    parts = template.split(/\{(\w+)\}/);
    compiledTemplates.set(template, parts);
  }
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) out += (vars[parts[i]!] ?? `{${parts[i]}}`) + parts[i + 1];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Metadata: a handful of distinct JSON objects, serialized once rather than per row.

const json = (value: unknown) => JSON.stringify(value);
const META = {
  start: {
    inbound: { en: json({ direction: 'inbound' }), es: json({ direction: 'inbound', language: 'es' }) },
    outbound: { en: json({ direction: 'outbound' }), es: json({ direction: 'outbound', language: 'es' }) },
  },
  voicemail: json({ direction: 'inbound', voicemail: true }),
  intent: Object.fromEntries(INTENTS.map((intent) => [intent, json({ intent })])) as Record<Intent, string>,
  prescreen: new Map<PrescreenReply, string>(
    [...ENGLISH.prescreenReplies, ...SPANISH.prescreenReplies].map((r) => [r, json({ loan_type: r.loan_type, purpose: r.purpose })]),
  ),
  booking: Object.fromEntries(
    LOAN_OFFICERS.map((officer) => [officer, Object.fromEntries(MEETING_KINDS.map((meeting) => [meeting, json({ loan_officer: officer, meeting })]))]),
  ) as Record<string, Record<(typeof MEETING_KINDS)[number], string>>,
  topic: new Map(UNCOVERED_TOPICS.map((t) => [t, json({ topic: t.topic })])),
  lowConfidence: json({ reason: 'low_confidence' }),
  component: Object.fromEntries(COMPONENTS.map(({ name }) => [name, json({ component: name })])) as Record<string, string>,
  escalation: { caller: json({ reason: 'caller_request' }), failure: json({ reason: 'ai_failure' }) },
  crm: {
    notes: json({ fields: ['notes'] }),
    booking: json({ fields: ['notes', 'appointment', 'lead_stage'] }),
    prescreen: json({ fields: ['notes', 'lead_stage', 'loan_type'] }),
    handoff: json({ fields: ['notes', 'assigned_to'] }),
    callback: json({ fields: ['callback_task'] }),
  },
};

// ---------------------------------------------------------------------------------------------
// The world a tenant's conversations happen in.

interface Client {
  id: string;
  name: string;
  first: string;
  last: string;
  phone: string;
  stage: LeadStage;
  officer: string;
  /** Intents in English, and in Spanish for Spanish-speaking borrowers (null otherwise). */
  intents: Weighted<Intent>;
  spanishIntents: Weighted<Intent> | null;
  outbound: { en: readonly Intent[]; es: readonly Intent[] };
  closingDate: { en: string; es: string };
}

interface World {
  zone: Zone;
  now: number;
  historyStart: number;
  clients: Weighted<Client>;
  skills: Map<string, SkillDesign>;
  /** The day's rates, for each 24 hours since historyStart. */
  dailyRates: DayRates[];
}

function formatDate(book: Phrasebook, wallMs: number): string {
  const d = new Date(wallMs);
  return render(book.date, { month: book.months[d.getUTCMonth()]!, day: String(d.getUTCDate()) });
}

function clockTime(hour: number, minute: number): string {
  return `${hour % 12 || 12}:${String(minute).padStart(2, '0')} ${hour < 12 ? 'AM' : 'PM'}`;
}

function makeClients(rng: Rng, z: Zone, now: number): Client[] {
  const stages = rng.shuffle(LEAD_STAGES.flatMap((stage) => Array<LeadStage>(STAGE_COUNTS[stage]).fill(stage)));
  const englishOfficers = LOAN_OFFICERS.filter((o) => o !== SPANISH_SPEAKING_OFFICER);
  return BORROWERS.map(([first, last, spanish], i) => {
    const stage = stages[i]!;
    const weights = Object.entries(INTENT_WEIGHTS[stage]) as [Intent, number][];
    // Application and underwriting files close in weeks, new leads hope to within a few months,
    // closed loans closed months ago.
    const closingOffset = stage === 'closed' ? -rng.int(30, 200) : stage === 'underwriting' ? rng.int(5, 20) : stage === 'application' ? rng.int(20, 45) : rng.int(45, 90);
    const closingWall = z.wall(now) + closingOffset * DAY;
    return {
      id: `cl_${String(i + 1).padStart(4, '0')}`,
      name: `${first} ${last}`,
      first,
      last,
      phone: `+1${rng.pick(AREA_CODES)}55501${String(i).padStart(2, '0')}`,
      stage,
      officer: spanish ? SPANISH_SPEAKING_OFFICER : rng.pick(englishOfficers),
      intents: new Weighted(weights),
      spanishIntents: spanish ? new Weighted(weights.filter(([intent]) => SPANISH.intents[intent])) : null,
      outbound: {
        en: OUTBOUND_INTENTS[stage].filter((intent) => ENGLISH.outbound[intent]),
        es: OUTBOUND_INTENTS[stage].filter((intent) => SPANISH.outbound[intent]),
      },
      closingDate: { en: formatDate(ENGLISH, closingWall), es: formatDate(SPANISH, closingWall) },
    };
  });
}

interface DayRates {
  rate30: string;
  apr30: string;
  rate15: string;
  rateFha: string;
}

/** A rate as quoted: 6.875, 6.5, 7. */
const percent = (rate: number) => String(Number(rate.toFixed(3)));

/** Today's rates drift by an eighth of a point from day to day. */
function makeDailyRates(rng: Rng, days: number): DayRates[] {
  let rate30 = 6.5;
  return Array.from({ length: days + 1 }, () => {
    rate30 = clamp(rate30 + 0.125 * rng.int(-1, 1), 6.125, 7.25);
    return { rate30: percent(rate30), apr30: percent(rate30 + 0.137), rate15: percent(rate30 - 0.75), rateFha: percent(rate30 - 0.375) };
  });
}

/** The designed probability that an activity naming the skill succeeds at an instant. */
function designedAccuracy(design: SkillDesign, ageDays: number): number {
  const { decline } = design;
  if (!decline || ageDays >= decline.startDaysAgo) return design.accuracy;
  return decline.to + (design.accuracy - decline.to) * (ageDays / decline.startDaysAgo);
}

// ---------------------------------------------------------------------------------------------
// Traffic: expected conversations per quarter hour, busy in local business hours.

const WEEKDAY_HOURS = [0.15, 0.08, 0.05, 0.05, 0.06, 0.12, 0.35, 0.9, 2, 3.3, 3.6, 3.4, 2.8, 3.2, 3.4, 3.2, 2.9, 2.4, 1.7, 1.2, 0.95, 0.7, 0.45, 0.25];
const WEEKEND_HOURS = [0.2, 0.1, 0.06, 0.05, 0.05, 0.08, 0.2, 0.5, 1.1, 1.8, 2.3, 2.4, 2.2, 2, 1.8, 1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.55, 0.4, 0.25];
const shares = (weights: number[]) => {
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
};
const WEEKDAY_SHARES = shares(WEEKDAY_HOURS);
const WEEKEND_SHARES = shares(WEEKEND_HOURS);
/** Weekdays carry more than the average day and weekends less, so a week averages perDay. */
const WEEKDAY_VOLUME = 1.12;
const WEEKEND_VOLUME = 0.7;

interface Slot {
  start: number;
  end: number;
  /** Expected conversations at one conversation per day on average. */
  weight: number;
}

function trafficSlots(rng: Rng, z: Zone, historyStart: number, now: number): Slot[] {
  const slots: Slot[] = [];
  let date = '';
  let volume = 0;
  let weekend = false;
  for (let start = historyStart; start < now; start += QUARTER_HOUR) {
    const localDate = z.localDate(start);
    if (localDate !== date) {
      date = localDate;
      weekend = z.localWeekday(start) >= 6;
      volume = (weekend ? WEEKEND_VOLUME : WEEKDAY_VOLUME) * rng.between(0.9, 1.1);
    }
    const end = Math.min(start + QUARTER_HOUR, now);
    const share = (weekend ? WEEKEND_SHARES : WEEKDAY_SHARES)[z.localHour(start)]!;
    slots.push({ start, end, weight: ((volume * share) / 4) * ((end - start) / QUARTER_HOUR) });
  }
  return slots;
}

function instantIn(slot: Slot, rng: Rng): number {
  return slot.start + Math.floor(rng.next() * (slot.end - slot.start));
}

/** Monday = 0 … Sunday = 6, of a local wall-clock time (1970-01-01 was a Thursday). */
function weekdayOf(wall: number): number {
  return (Math.floor(wall / DAY) + 3) % 7;
}

/** Local wall-clock time outside 8 AM–7 PM on weekdays. */
function isAfterHours(wall: number): boolean {
  const hour = Math.floor(wall / HOUR) % 24;
  return hour < 8 || hour >= 19 || weekdayOf(wall) >= 5;
}

// ---------------------------------------------------------------------------------------------
// Conversations

/** What an error row says about an activity that went wrong. */
interface Issue {
  error_type: ErrorType;
  severity: Severity;
  component: string | null;
  context: string;
  root_cause: string;
  recommended_fix: string;
}

interface SeedActivity {
  id: string;
  timestamp: number;
  client: Client;
  action_type: ActionType;
  channel: Channel;
  message_in: string | null;
  message_out: string | null;
  confidence_score: number;
  skill_name: string | null;
  outcome_status: OutcomeStatus;
  response_time_ms: number | null;
  conversation_id: string;
  metadata: string | null;
  issue: Issue | null;
}

interface ConversationRow {
  id: string;
  client: Client;
  channel: Channel;
  started_at: number;
  ended_at: number | null;
  transcript: string;
  summary: string;
  intent: Intent;
  sentiment: Sentiment | null;
  outcome: string | null;
  ended_reason: string | null;
  avg_confidence_score: number | null;
  total_turns: number;
}

interface PlannedConversation {
  activities: SeedActivity[];
  /** Only when planned with a transcript. */
  row: ConversationRow | null;
}

interface Step {
  speaker: TranscriptTurn['speaker'];
  text: string;
  confidence: number | null;
  /** For an AI turn: how long the AI took to answer the turn before it. */
  responseMs: number;
  /** Milliseconds since the turn before. */
  gap: number;
  at: number;
}

interface Draft {
  /** The turn the activity happened at; -1 for one logged after the conversation ended. */
  step: number;
  /** The AI turn whose response time is the activity's, if any. */
  answerStep: number | null;
  delayAfterEnd: number;
  action: ActionType;
  skill: string | null;
  outcome: OutcomeStatus;
  confidence: number;
  metadata: string | null;
  message_in: string | null;
  message_out: string | null;
  issue: Issue | null;
}

type FailureKind = 'faq' | 'prescreen' | 'booking';
type SystemComponent = keyof Phrasebook['systemError'];

/** Spoken turns take time to say: about 14 characters a second. */
const SPEECH_MS_PER_CHAR = 70;
/** How long a caller takes before their next turn: a breath on the phone, reading and typing otherwise. */
const CALLER_PAUSE: Record<Channel, [number, number]> = {
  voice: [800, 4000],
  sms: [10_000, 75_000],
  chat: [5_000, 40_000],
  email: [20_000, 60_000],
};

const CHANNEL_LABEL: Record<Channel, string> = { voice: 'Call', sms: 'Text conversation', email: 'Email thread', chat: 'Chat' };

const CHANNEL_MIX = new Weighted<Channel>([
  ['voice', 55],
  ['sms', 35],
  ['email', 5],
  ['chat', 5],
]);

/** How callers feel, by how the conversation went. */
const SENTIMENT_MIX = {
  escalated: new Weighted<Sentiment>([['mixed', 50], ['negative', 30], ['neutral', 20]]),
  followUp: new Weighted<Sentiment>([['neutral', 70], ['positive', 20], ['mixed', 10]]),
  booked: new Weighted<Sentiment>([['positive', 80], ['neutral', 20]]),
  unresolved: new Weighted<Sentiment>([['negative', 65], ['mixed', 35]]),
  answered: new Weighted<Sentiment>([['positive', 40], ['neutral', 55], ['mixed', 5]]),
};

/** Uncovered questions by the skill they come closest to, so a caller asks one near their topic. */
const UNCOVERED_TOPICS_BY_SKILL = new Map<string, (typeof UNCOVERED_TOPICS)[number][]>();
for (const topic of UNCOVERED_TOPICS) UNCOVERED_TOPICS_BY_SKILL.set(topic.route, [...(UNCOVERED_TOPICS_BY_SKILL.get(topic.route) ?? []), topic]);

const API_FAILURES: Record<SystemComponent, Omit<Issue, 'error_type' | 'component'>> = {
  calendly_api: {
    severity: 'high',
    context: 'Creating the appointment: Calendly returned HTTP 503 on 3 attempts',
    root_cause: 'Calendly API returned 503 while the appointment was being created',
    recommended_fix: 'Check the Calendly integration token and add a retry with backoff',
  },
  document_module: {
    severity: 'medium',
    context: "Loading the borrower's document checklist timed out after 10 s",
    root_cause: 'The document module took longer than 10 s to build the checklist for a large loan file',
    recommended_fix: "Cache each loan file's checklist and raise the document lookup timeout to 20 s",
  },
  crm_pipeline: {
    severity: 'high',
    context: 'Opening the loan file: the CRM pipeline returned HTTP 500',
    root_cause: 'The CRM pipeline fails on loan files with more than one co-borrower',
    recommended_fix: "Fix the co-borrower join in the CRM pipeline's loan-file query and add a retry",
  },
  openai_api: {
    severity: 'high',
    context: 'Generating the answer: the OpenAI API did not respond within 15 s',
    root_cause: 'OpenAI API requests time out during peak load',
    recommended_fix: 'Fail over to claude_api when openai_api does not answer within 8 s',
  },
};

/**
 * Plans conversations turn by turn: the turns come first, and each activity is drafted at the turn
 * it happened at, with that turn's words. One instance per PRNG stream; the conversation being
 * planned lives in fields that {@link plan} resets.
 */
class ConversationPlanner {
  readonly #world: World;
  readonly #rng: Rng;
  #steps: Step[] = [];
  #drafts: Draft[] = [];
  #client!: Client;
  #book!: Phrasebook;
  #channel!: Channel;
  #intent!: Intent;
  #vars!: Vars;
  #startedAt = 0;
  #failed = false;
  #topic: (typeof UNCOVERED_TOPICS)[number] | null = null;
  #prescreen: PrescreenReply | null = null;
  #booked = false;
  #slotInEnglish = '';
  #meeting: (typeof MEETING_KINDS)[number] = 'phone';
  #escalated = false;
  #transferred = false;

  constructor(world: World, rng: Rng) {
    this.#world = world;
    this.#rng = rng;
  }

  /** A conversation that starts at `startedAt`; with `transcript`, also its conversations row. */
  plan(startedAt: number, transcript: boolean): PlannedConversation {
    const rng = this.#rng;
    const world = this.#world;
    const client = world.clients.pick(rng);
    const spanish = client.spanishIntents !== null && rng.chance(SPANISH_SHARE);
    const book = spanish ? SPANISH : ENGLISH;
    const channel = CHANNEL_MIX.pick(rng);
    const outboundIntents = client.outbound[book.language];
    const outbound = channel !== 'chat' && outboundIntents.length > 0 && rng.chance(OUTBOUND_SHARE);
    const intent = outbound ? rng.pick(outboundIntents) : (spanish ? client.spanishIntents! : client.intents).pick(rng);
    const wall = world.zone.wall(startedAt);
    const voicemail = !outbound && channel === 'voice' && isAfterHours(wall) && rng.chance(VOICEMAIL_SHARE);

    this.#steps = [];
    this.#drafts = [];
    this.#client = client;
    this.#book = book;
    this.#channel = channel;
    this.#intent = intent;
    this.#startedAt = startedAt;
    this.#failed = false;
    this.#topic = null;
    this.#prescreen = null;
    this.#booked = false;
    this.#escalated = false;
    this.#transferred = false;
    const today = world.dailyRates[clamp(Math.floor((startedAt - world.historyStart) / DAY), 0, world.dailyRates.length - 1)]!;
    this.#vars = {
      company: COMPANY,
      assistant: ASSISTANT,
      rate30: today.rate30,
      apr30: today.apr30,
      rate15: today.rate15,
      rateFha: today.rateFha,
      first: client.first,
      last: client.last,
      officer: client.officer,
      closingDate: client.closingDate[book.language],
      phone4: client.phone.slice(-4),
      // Filled in as the conversation gets there.
      loan: '',
      meeting: '',
      slot: '',
      slot2: '',
      opener: '',
    };

    let transferFailed = false;
    let timeout = false;
    if (voicemail) this.#voicemail();
    else {
      const { callerStep: opener, answer } = this.#opening(outbound);
      // A lead: a borrower still shopping, or one whose loan closed asking about refinancing.
      const lead = client.stage === 'new' || client.stage === 'prescreened' || (client.stage === 'closed' && intent === 'refinance');
      // Only a pre-screened lead books, in the conversation that pre-screened it, so bookings never
      // outnumber pre-screens in any period (the lead funnel narrows). Borrowers further along do
      // not ask to book (INTENT_WEIGHTS); one who did would be pre-screened first all the same.
      if (intent === 'prequalification' || intent === 'book_appointment') {
        this.#prescreenBlock(render(answer, this.#vars) + ' ');
        if (intent === 'book_appointment' && this.#prescreen) this.#bookingBlock();
      } else {
        this.#answer(opener, answer);
        const { followUps } = book.intents[intent]!;
        if (!this.#failed && followUps.length > 0 && rng.chance(0.45) && this.#fits(2)) {
          const [question, followUpAnswer] = rng.pick(followUps);
          this.#answer(this.#say('caller', render(question, this.#vars)), followUpAnswer);
        }
        if (!this.#failed && lead && rng.chance(PRESCREEN_CHANCE[intent] ?? 0) && this.#fits(3)) this.#prescreenBlock('');
      }
      if (this.#prescreen && !this.#failed && !this.#booked && rng.chance(BOOKING_CHANCE[intent] * PRESCREENED_BOOKING) && this.#fits(3)) this.#bookingBlock();

      const wantsPerson = this.#failed ? rng.chance(0.38) : !this.#booked && rng.chance(0.025);
      if (wantsPerson && this.#steps.length + 3 <= MAX_TURNS) transferFailed = !this.#escalate();
      // A texter may simply stop replying once answered: the session times out without goodbyes.
      timeout = !this.#escalated && !this.#failed && channel !== 'voice' && this.#steps.length >= MIN_TURNS && rng.chance(0.25);
      if (!this.#escalated && !timeout) this.#closing();
      this.#startActivity(outbound, opener);
    }

    if (!this.#transferred && rng.chance(this.#failed || this.#booked || this.#prescreen || outbound || voicemail ? 0.8 : 0.25)) {
      this.#draftCrmUpdate(voicemail);
    }
    return this.#finish(transcript, { outbound, voicemail, transferFailed, timeout, spanish });
  }

  #say(speaker: Step['speaker'], text: string, confidence: number | null = null): number {
    const responseMs = speaker === 'ai' ? this.#responseTime() : 0;
    this.#steps.push({ speaker, text, confidence, responseMs, gap: 0, at: 0 });
    return this.#steps.length - 1;
  }

  /** An AI turn; when the AI already has the floor, its words join that turn. */
  #sayAi(text: string, confidence: number): number {
    const last = this.#steps.length - 1;
    if (last >= 0 && this.#steps[last]!.speaker === 'ai') {
      this.#steps[last]!.text += ' ' + text;
      return last;
    }
    return this.#say('ai', text, confidence);
  }

  /** Whether a block of `turns` more turns still leaves room for a closing exchange. */
  #fits(turns: number): boolean {
    return this.#steps.length + turns + 2 <= MAX_TURNS;
  }

  /** An activity at an AI turn: the turn's words, confidence and response time are the activity's. */
  #draft(step: number, action: ActionType, skill: string | null, outcome: OutcomeStatus, metadata: string | null, messageIn: string | null, issue: Issue | null = null): void {
    const turn = this.#steps[step]!;
    this.#drafts.push({
      step,
      answerStep: step,
      delayAfterEnd: 0,
      action,
      skill,
      outcome,
      confidence: turn.confidence!,
      metadata,
      message_in: messageIn,
      message_out: turn.text,
      issue,
    });
  }

  /** The CRM write-back a few seconds after the conversation ends. */
  #draftCrmUpdate(voicemail: boolean): void {
    const rng = this.#rng;
    this.#drafts.push({
      step: -1,
      answerStep: null,
      delayAfterEnd: Math.round(rng.between(2_000, 20_000)),
      action: 'crm_updated',
      skill: null,
      outcome: 'success',
      confidence: round3(rng.between(0.9, 0.99)),
      metadata: this.#crmMetadata(voicemail),
      message_in: null,
      message_out: this.#crmNote(voicemail),
      issue: null,
    });
  }

  #succeeds(skill: string): boolean {
    const design = this.#world.skills.get(skill)!;
    return this.#rng.next() < designedAccuracy(design, (this.#world.now - this.#startedAt) / DAY);
  }

  #confident(): number {
    const r = this.#rng.next();
    return round3(0.99 - 0.19 * r * r);
  }

  #unsure(): number {
    return round3(this.#rng.between(0.55, 0.68));
  }

  #shaky(): number {
    return round3(this.#rng.between(0.6, 0.8));
  }

  #responseTime(): number {
    const rng = this.#rng;
    switch (this.#channel) {
      case 'voice':
        return Math.round(clamp(rng.logNormal(1050, 0.38), 550, 4500));
      case 'sms':
        return Math.round(clamp(rng.logNormal(2600, 0.5), 1000, 15_000));
      case 'chat':
        return Math.round(clamp(rng.logNormal(1500, 0.4), 600, 8000));
      case 'email':
        return Math.round(clamp(rng.logNormal(12_000, 0.5), 4000, 40_000));
    }
  }

  /** The first turns: returns the caller's opening turn, and the AI's answer to it (a template). */
  #opening(outbound: boolean): { callerStep: number; answer: string } {
    const rng = this.#rng;
    const book = this.#book;
    const [caller, answer] = outbound ? rng.pick(book.outbound[this.#intent]!.replies) : rng.pick(book.intents[this.#intent]!.exchanges);
    if (outbound) this.#say('ai', render(book.outbound[this.#intent]!.opener, this.#vars), this.#confident());
    else if (this.#channel === 'voice') this.#say('ai', render(rng.pick(book.greeting), this.#vars), this.#confident());
    return { callerStep: this.#say('caller', render(caller, this.#vars)), answer };
  }

  /** The conversation's first activity: the call, the text, or the AI's follow-up. */
  #startActivity(outbound: boolean, opener: number): void {
    const first = this.#steps[0]!;
    // A call is answered by the greeting; an inbound text by the AI turn after it.
    const answerStep = first.speaker === 'ai' ? 0 : opener + 1;
    const answer = this.#steps[answerStep]!;
    this.#drafts.unshift({
      step: 0,
      answerStep: outbound ? null : answerStep,
      delayAfterEnd: 0,
      action: outbound ? 'outbound_followup' : this.#channel === 'voice' ? 'incoming_call' : 'incoming_text',
      skill: null,
      outcome: 'success',
      confidence: answer.confidence!,
      metadata: META.start[outbound ? 'outbound' : 'inbound'][this.#book.language],
      message_in: this.#steps[opener]!.text,
      message_out: answer.text,
      issue: null,
    });
  }

  #answer(callerStep: number, answer: string): void {
    const skill = this.#topicSkill();
    if (this.#succeeds(skill)) {
      const step = this.#say('ai', render(answer, this.#vars), this.#confident());
      this.#draft(step, 'faq_answered', skill, 'success', META.intent[this.#intent], this.#steps[callerStep]!.text);
    } else this.#fail('faq', callerStep, skill);
  }

  #topicSkill(): string {
    return this.#book === SPANISH ? SKILL.spanish : INTENT_SKILL[this.#intent];
  }

  #prescreenBlock(lead: string): void {
    const rng = this.#rng;
    const book = this.#book;
    const skill = book === SPANISH ? SKILL.spanish : SKILL.prescreen;
    this.#sayAi(lead + render(rng.pick(book.prescreenAsk), this.#vars), this.#confident());
    const reply = rng.pick(book.prescreenReplies);
    const callerStep = this.#say('caller', reply.text);
    if (this.#succeeds(skill)) {
      this.#vars.loan = reply.loan_type;
      const step = this.#say('ai', render(rng.pick(book.prescreenAck), this.#vars), this.#confident());
      this.#draft(step, 'lead_prescreened', skill, 'success', META.prescreen.get(reply)!, reply.text);
      this.#prescreen = reply;
    } else this.#fail('prescreen', callerStep, skill);
  }

  #bookingBlock(lead = ''): void {
    const rng = this.#rng;
    const book = this.#book;
    const skill = book === SPANISH ? SKILL.spanish : SKILL.scheduling;
    const [first, second] = this.#slots();
    this.#meeting = rng.pick(MEETING_KINDS);
    const vars = this.#vars;
    vars.meeting = book.meetings[this.#meeting];
    vars.slot = render(book.slot, first.vars);
    vars.slot2 = render(book.slot, second.vars);
    this.#sayAi(lead + render(rng.pick(book.bookingOffer), vars), this.#confident());
    const chooseSecond = rng.chance(0.35);
    const callerStep = this.#say('caller', render(rng.pick(chooseSecond ? book.bookingPickSecond : book.bookingPickFirst), vars));
    const chosen = chooseSecond ? second : first;
    if (chooseSecond) vars.slot = vars.slot2;
    this.#slotInEnglish = render(ENGLISH.slot, chosen.englishVars);
    if (this.#succeeds(skill)) {
      const step = this.#say('ai', render(rng.pick(book.bookingConfirm), vars), this.#confident());
      this.#draft(step, 'appointment_booked', skill, 'success', META.booking[this.#client.officer]![this.#meeting], this.#steps[callerStep]!.text);
      this.#booked = true;
    } else this.#fail('booking', callerStep, skill);
  }

  /** Two appointment times on the next business days, in local time. */
  #slots(): { vars: Vars; englishVars: Vars }[] {
    const rng = this.#rng;
    const wall = this.#world.zone.wall(this.#startedAt);
    let weekday = weekdayOf(wall);
    const out: { vars: Vars; englishVars: Vars }[] = [];
    let ahead = rng.int(1, 2);
    for (let i = 0; i < 2; i++) {
      for (let d = 0; d < ahead; d++) {
        weekday = (weekday + 1) % 7;
        while (weekday >= 5) weekday = (weekday + 1) % 7;
      }
      const time = clockTime(rng.int(9, 16), rng.chance(0.5) ? 0 : 30);
      out.push({ vars: { day: this.#book.weekdays[weekday]!, time }, englishVars: { day: ENGLISH.weekdays[weekday]!, time } });
      ahead = rng.int(0, 1);
    }
    return out;
  }

  /**
   * A skill got it wrong: it said it was unsure, gave an answer that missed the question, or hit
   * a failing integration.
   */
  #fail(kind: FailureKind, callerStep: number, skill: string): void {
    const rng = this.#rng;
    const book = this.#book;
    const vars = this.#vars;
    const caller = this.#steps[callerStep]!;
    this.#failed = true;
    const r = rng.next();
    if (r < 0.38 && kind !== 'booking') {
      if (book === ENGLISH && kind === 'faq' && rng.chance(0.5)) {
        this.#topic = rng.pick(UNCOVERED_TOPICS_BY_SKILL.get(skill) ?? UNCOVERED_TOPICS);
        caller.text = this.#topic.question;
      }
      const confidence = this.#unsure();
      const step = this.#say('ai', render(rng.pick(book.uncertain), vars), confidence);
      const issue = rng.chance(LOGGED_UNCERTAINTY_SHARE) ? this.#uncertaintyIssue(skill, confidence) : null;
      const metadata = this.#topic ? META.topic.get(this.#topic)! : META.lowConfidence;
      this.#draft(step, 'ai_uncertainty', skill, 'failed', metadata, caller.text, issue);
    } else if (r < 0.92) {
      const [pool, action]: [string[], ActionType] =
        kind === 'faq' ? [book.wrongAnswer, 'faq_answered'] : kind === 'prescreen' ? [book.prescreenMisread, 'lead_prescreened'] : [book.bookingFailed, 'appointment_booked'];
      const step = this.#say('ai', render(rng.pick(pool), vars), this.#shaky());
      this.#draft(step, action, skill, 'failed', kind === 'faq' ? META.intent[this.#intent] : null, caller.text);
    } else {
      const component: SystemComponent =
        kind === 'booking' ? 'calendly_api'
        : kind === 'prescreen' || this.#intent === 'payment_question' ? 'crm_pipeline'
        : this.#intent === 'document_status' ? 'document_module'
        : 'openai_api';
      const step = this.#say('ai', render(book.systemError[component], vars), this.#unsure());
      this.#draft(step, 'error', skill, 'failed', META.component[component]!, caller.text, { error_type: 'api_failure', component, ...API_FAILURES[component] });
    }
  }

  #uncertaintyIssue(skill: string, confidence: number): Issue {
    const topic = this.#topic;
    if (topic) {
      return {
        error_type: 'unrecognized_request',
        severity: this.#rng.chance(0.6) ? 'low' : 'medium',
        component: null,
        context: `${CHANNEL_LABEL[this.#channel]}: the caller asked about ${topic.topic}; ${skill} answered with confidence ${confidence}`,
        root_cause: `No skill covers questions about ${topic.topic}`,
        recommended_fix: `Add a FAQ entry on ${topic.topic} and route it to ${topic.route}`,
      };
    }
    const diagnosis = LOW_CONFIDENCE_DIAGNOSES[skill] ?? {
      root_cause: `${skill} fell below the 0.70 answer threshold on a rephrased question`,
      recommended_fix: `Add this phrasing to ${skill}'s training examples`,
    };
    return {
      error_type: 'low_confidence',
      severity: 'medium',
      component: null,
      context: `${CHANNEL_LABEL[this.#channel]}: ${skill} answered with confidence ${confidence}, below the 0.70 threshold`,
      ...diagnosis,
    };
  }

  /** The caller asks for a person; returns whether the transfer went through. */
  #escalate(): boolean {
    const rng = this.#rng;
    const book = this.#book;
    const vars = this.#vars;
    const ask = this.#say('caller', render(rng.pick(book.escalationAsk), vars));
    const handOff = this.#say('ai', render(rng.pick(book.escalationReply), vars), this.#confident());
    this.#draft(handOff, 'escalated', SKILL.escalation, 'escalated', this.#failed ? META.escalation.failure : META.escalation.caller, this.#steps[ask]!.text);
    this.#escalated = true;
    if (this.#succeeds(SKILL.escalation)) {
      const agent = this.#say('agent', render(rng.pick(book.agentGreeting), vars));
      // The hand-off is the escalation skill's success: the agent has the conversation and the notes.
      this.#drafts.push({
        step: agent,
        answerStep: null,
        delayAfterEnd: 0,
        action: 'crm_updated',
        skill: SKILL.escalation,
        outcome: 'success',
        confidence: this.#confident(),
        metadata: META.crm.handoff,
        message_in: null,
        message_out: `Conversation handed to ${this.#client.officer} with the AI's notes attached`,
        issue: null,
      });
      if (this.#steps.length < MAX_TURNS) this.#say('caller', render(rng.pick(book.callerToAgent), vars));
      this.#transferred = true;
      return true;
    }
    const voice = this.#channel === 'voice';
    const component = voice ? 'voice_endpoint' : 'teams_sync';
    const failed = this.#say('ai', render(rng.pick(book.transferFailed), vars), this.#unsure());
    this.#draft(failed, 'error', SKILL.escalation, 'failed', META.component[component]!, this.#steps[ask]!.text, {
      error_type: 'transfer_failed',
      severity: 'high',
      component,
      context: voice
        ? `Warm transfer to ${this.#client.officer}'s line rang for 30 s without an answer`
        : `Escalation notice to ${this.#client.officer} on Teams was not acknowledged within 2 minutes`,
      root_cause: voice
        ? "Transfers ring only the assigned loan officer's line, with no fallback when it is not answered"
        : 'Escalation notices go only to the assigned loan officer, who was unavailable',
      recommended_fix: voice
        ? 'Add a hunt group so an unanswered transfer rolls over to the next available loan officer'
        : 'Route unacknowledged escalations to the on-duty loan officer after 2 minutes',
    });
    if (this.#steps.length < MAX_TURNS) this.#say('caller', render(rng.pick(book.goodbye), vars));
    return false;
  }

  #closing(): void {
    const rng = this.#rng;
    const book = this.#book;
    const vars = this.#vars;
    if (this.#steps.length + 2 > MAX_TURNS && this.#steps.length >= MIN_TURNS) return;
    if (this.#failed) {
      this.#say('caller', render(rng.pick(book.unhappyCaller), vars));
      this.#say('ai', render(rng.pick(book.apology), vars), this.#confident());
    } else {
      this.#say('caller', render(rng.pick(book.closingCaller), vars));
      this.#say('ai', render(rng.pick(book.closingAi), vars), this.#confident());
    }
  }

  #voicemail(): void {
    const rng = this.#rng;
    const book = this.#book;
    const vars = this.#vars;
    this.#say('ai', render(rng.pick(book.voicemailGreeting), vars), this.#confident());
    const understood = this.#succeeds(SKILL.voicemail);
    vars.opener = render(rng.pick(book.intents[this.#intent]!.exchanges)[0], vars);
    const message = this.#say('caller', understood ? render(book.voicemailMessage, vars) : rng.pick(book.voicemailGarbled));
    const ack = this.#say('ai', render(rng.pick(understood ? book.voicemailAck : book.voicemailUnclear), vars), understood ? this.#confident() : this.#unsure());
    this.#say('caller', rng.pick(book.goodbye));
    this.#drafts.push({
      step: 0,
      answerStep: 0,
      delayAfterEnd: 0,
      action: 'incoming_call',
      skill: SKILL.voicemail,
      outcome: understood ? 'success' : 'failed',
      confidence: this.#steps[ack]!.confidence!,
      metadata: META.voicemail,
      message_in: this.#steps[message]!.text,
      message_out: this.#steps[ack]!.text,
      issue: null,
    });
  }

  #crmNote(voicemail: boolean): string {
    const officer = this.#client.officer;
    if (voicemail) return `Callback task created for ${officer}`;
    if (this.#booked) return `Appointment with ${officer} added to the pipeline`;
    if (this.#prescreen) return `Lead stage and ${this.#prescreen.loan_type} prescreen answers saved`;
    if (this.#failed) return `Open question logged for ${officer}`;
    return 'Conversation notes synced to the CRM';
  }

  #crmMetadata(voicemail: boolean): string {
    if (voicemail) return META.crm.callback;
    if (this.#booked) return META.crm.booking;
    if (this.#prescreen) return META.crm.prescreen;
    return META.crm.notes;
  }

  /** Times the turns, cuts what lies after `now`, and turns drafts into activity rows. */
  #finish(
    withTranscript: boolean,
    how: { outbound: boolean; voicemail: boolean; transferFailed: boolean; timeout: boolean; spanish: boolean },
  ): PlannedConversation {
    const rng = this.#rng;
    const steps = this.#steps;
    const now = this.#world.now;
    const speechPerChar = this.#channel === 'voice' ? SPEECH_MS_PER_CHAR : 0;
    const [minPause, maxPause] = CALLER_PAUSE[this.#channel];

    // Gaps between turns: the previous turn is spoken, then callers think and type, agents pick
    // up, and AI turns follow after their response time.
    let total = 0;
    let people = 0;
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i]!;
      const spoken = steps[i - 1]!.text.length * speechPerChar;
      if (step.speaker === 'ai') step.gap = spoken + step.responseMs;
      else {
        step.gap = spoken + (step.speaker === 'agent' ? rng.between(15_000, 45_000) : rng.between(minPause, maxPause));
        people += step.gap;
      }
      total += step.gap;
    }
    const lastSpoken = steps[steps.length - 1]!.text.length * speechPerChar;
    // Only the people's pauses shrink to fit; the AI's response times stay what the activities report.
    const excess = total + lastSpoken - MAX_DURATION;
    const shrink = excess > 0 ? Math.max(0, people - excess) / people : 1;
    let at = this.#startedAt;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      at += Math.round(step.speaker === 'ai' ? step.gap : step.gap * shrink);
      step.at = at;
    }
    at += this.#keepBookingOnItsDay(now);
    const endedAt = Math.max(at + lastSpoken, this.#startedAt + MIN_DURATION + Math.round(rng.between(0, 8000)));
    const inProgress = endedAt > now;

    const conversationId = rng.uuid();
    const client = this.#client;
    const activities: SeedActivity[] = [];
    for (const draft of this.#drafts) {
      const timestamp = draft.step < 0 ? endedAt + draft.delayAfterEnd : steps[draft.step]!.at;
      if (timestamp > now) continue;
      activities.push({
        id: rng.uuid(),
        timestamp,
        client,
        action_type: draft.action,
        channel: this.#channel,
        message_in: draft.message_in,
        message_out: draft.message_out,
        confidence_score: draft.confidence,
        skill_name: draft.skill,
        // A conversation still under way has started but not yet resolved.
        outcome_status: activities.length === 0 && inProgress ? 'pending' : draft.outcome,
        response_time_ms: draft.answerStep === null ? null : steps[draft.answerStep]!.responseMs,
        conversation_id: conversationId,
        metadata: draft.metadata,
        issue: draft.issue,
      });
    }
    if (!withTranscript) return { activities, row: null };

    const turns: TranscriptTurn[] = [];
    let confidenceSum = 0;
    let aiTurns = 0;
    for (const step of steps) {
      if (step.at > now) break;
      const turn: TranscriptTurn = { speaker: step.speaker, text: step.text, at: new Date(step.at).toISOString() };
      if (step.speaker === 'ai') {
        turn.confidence = step.confidence;
        confidenceSum += step.confidence!;
        aiTurns++;
      }
      turns.push(turn);
    }
    const { outcome, endedReason, sentiment } = inProgress ? { outcome: null, endedReason: null, sentiment: null } : this.#result(how);
    return {
      activities,
      row: {
        id: conversationId,
        client,
        channel: this.#channel,
        started_at: this.#startedAt,
        ended_at: inProgress ? null : endedAt,
        transcript: JSON.stringify(turns),
        summary: this.#summary(how, outcome),
        intent: this.#intent,
        sentiment,
        outcome,
        ended_reason: endedReason,
        avg_confidence_score: aiTurns ? round4(confidenceSum / aiTurns) : null,
        total_turns: turns.length,
      },
    };
  }

  /**
   * Days are counted apart (metrics_daily), so a conversation that passed local midnight between
   * its pre-screen and its booking would give the new day a booking without its pre-screen. Such a
   * conversation starts at that midnight instead; returns by how much its turns moved.
   */
  #keepBookingOnItsDay(now: number): number {
    const drafts = this.#drafts;
    let booking: Draft | undefined;
    let prescreen: Draft | undefined;
    for (const d of drafts) {
      if (d.action === 'appointment_booked') booking = d;
      else if (d.action === 'lead_prescreened') prescreen = d;
    }
    if (!booking || !prescreen) return 0;
    const z = this.#world.zone;
    const bookedAt = this.#steps[booking.step]!.at;
    // A booking after now is not written, so it cannot count on the wrong day.
    if (bookedAt > now || Math.floor(z.wall(this.#steps[prescreen.step]!.at) / DAY) === Math.floor(z.wall(bookedAt) / DAY)) return 0;
    const shift = z.startOfDay(z.localDate(bookedAt)) - this.#startedAt;
    this.#startedAt += shift;
    for (const step of this.#steps) step.at += shift;
    return shift;
  }

  #result(how: { outbound: boolean; voicemail: boolean; transferFailed: boolean; timeout: boolean }): {
    outcome: string;
    endedReason: string;
    sentiment: Sentiment;
  } {
    const rng = this.#rng;
    const voice = this.#channel === 'voice';
    if (this.#transferred) {
      return { outcome: 'escalated', endedReason: 'transferred', sentiment: SENTIMENT_MIX.escalated.pick(rng) };
    }
    if (how.voicemail || how.transferFailed) {
      return {
        outcome: 'follow_up',
        endedReason: how.transferFailed && voice && rng.chance(0.5) ? 'caller_hung_up' : 'completed',
        sentiment: how.transferFailed ? 'negative' : SENTIMENT_MIX.followUp.pick(rng),
      };
    }
    if (this.#booked) {
      return { outcome: 'booked', endedReason: how.timeout ? 'timeout' : 'completed', sentiment: SENTIMENT_MIX.booked.pick(rng) };
    }
    if (this.#failed) {
      return {
        outcome: 'unresolved',
        endedReason: voice ? (rng.chance(0.6) ? 'caller_hung_up' : 'completed') : rng.chance(0.5) ? 'timeout' : 'completed',
        sentiment: SENTIMENT_MIX.unresolved.pick(rng),
      };
    }
    return {
      outcome: how.outbound ? 'follow_up' : 'answered',
      endedReason: how.timeout ? 'timeout' : 'completed',
      sentiment: SENTIMENT_MIX.answered.pick(rng),
    };
  }

  #summary(how: { outbound: boolean; voicemail: boolean; transferFailed: boolean; spanish: boolean }, outcome: string | null): string {
    const { name, officer } = this.#client;
    const parts = [
      how.outbound
        ? `${ASSISTANT} followed up with ${name} about ${OUTBOUND_SUMMARY[this.#intent]}.`
        : `${name} ${INTENT_SUMMARY[this.#intent]}${how.voicemail ? ' in an after-hours voicemail' : ''}.`,
    ];
    if (how.spanish) parts.push('Conducted in Spanish.');
    if (this.#topic) parts.push(`Asked about ${this.#topic.topic}, which no skill covers.`);
    if (this.#prescreen) parts.push(`Prescreened for a ${this.#prescreen.loan_type} ${this.#prescreen.purpose} loan.`);
    if (outcome === null) parts.push('In progress.');
    else if (this.#booked) parts.push(`Booked ${ENGLISH.meetings[this.#meeting]} consultation with ${officer} for ${this.#slotInEnglish}.`);
    else if (this.#transferred) parts.push(`Transferred to ${officer}.`);
    else if (how.transferFailed) parts.push(`The transfer to ${officer} failed; a callback was promised.`);
    else if (how.voicemail) parts.push(this.#drafts[0]!.outcome === 'success' ? `${officer} to call back.` : 'The recording was hard to understand; callback needed.');
    else if (this.#failed) parts.push('The AI could not resolve the request.');
    else parts.push(outcome === 'follow_up' ? 'Awaiting the borrower.' : 'Answered by the AI.');
    return parts.join(' ');
  }
}

// ---------------------------------------------------------------------------------------------
// Integration health: a day of checks every 5 minutes, and each component's status from them.

/** The story the health bar tells: one integration slow for two hours, one down for 40 minutes. */
const DEGRADED_COMPONENT = 'outlook_sync';
const DEGRADED_CHECKS = 24;
const DOWN_COMPONENT = 'zapier_triggers';
const DOWN_CHECKS = 9;
/** Single failed checks earlier in the day. */
const BLIPS: Record<string, { hoursAgo: number; message: string; latency: number }> = {
  calendly_api: { hoursAgo: 9, message: 'HTTP 503 Service Unavailable', latency: 420 },
  crm_pipeline: { hoursAgo: 15, message: 'Timed out after 10 s', latency: CHECK_TIMEOUT_MS },
};

interface HealthCheck {
  checked_at: number;
  ok: boolean;
  status: HealthStatus;
  latency_ms: number;
  message: string | null;
}

interface ComponentHealth {
  component_name: string;
  status: HealthStatus;
  latency_ms: number;
  error_rate: number;
  uptime_percentage: number;
  last_checked: number;
  down_since: number | null;
  consecutive_failures: number;
  message: string | null;
}

function localClock(z: Zone, ms: number): string {
  const wall = new Date(z.wall(ms));
  return clockTime(wall.getUTCHours(), wall.getUTCMinutes());
}

function componentChecks(rng: Rng, name: string, baseLatency: number, lastCheck: number): HealthCheck[] {
  const checks: HealthCheck[] = [];
  // One timeout within the last hour (never the latest check) and one earlier in the slow spell.
  const degradedFailures = new Set([rng.int(1, 11), rng.int(12, DEGRADED_CHECKS - 1)]);
  const blip = BLIPS[name];
  let failuresInARow = 0;
  for (let k = CHECKS_PER_DAY - 1; k >= 0; k--) {
    let latency = baseLatency * rng.between(0.75, 1.3);
    let ok = true;
    let slow = false;
    let message: string | null = null;
    if (name === DEGRADED_COMPONENT && k < DEGRADED_CHECKS) {
      slow = true;
      latency = rng.between(1800, 3600);
      if (degradedFailures.has(k)) {
        ok = false;
        latency = CHECK_TIMEOUT_MS;
        message = 'Timed out after 10 s (Microsoft Graph answered 429 Too Many Requests)';
      }
    } else if (name === DOWN_COMPONENT && k < DOWN_CHECKS) {
      ok = false;
      latency = rng.between(300, 900);
      message = 'HTTP 502 Bad Gateway from the Zapier webhook';
    } else if (blip && k === blip.hoursAgo * (HOUR / CHECK_INTERVAL)) {
      ok = false;
      latency = blip.latency;
      message = blip.message;
    }
    failuresInARow = ok ? 0 : failuresInARow + 1;
    // Down after 3 failures in a row (SPEC §4.6); slow or failing before that is degraded.
    const status: HealthStatus = !ok ? (failuresInARow >= 3 ? 'down' : 'degraded') : slow ? 'degraded' : 'active';
    checks.push({ checked_at: lastCheck - k * CHECK_INTERVAL, ok, status, latency_ms: Math.round(latency), message });
  }
  return checks;
}

/** A component's row, computed from its checks: the last one's status, the last hour's rates, the day's uptime. */
function summarizeChecks(z: Zone, name: string, checks: HealthCheck[]): ComponentHealth {
  const last = checks.at(-1)!;
  const lastHour = checks.slice(-HOUR / CHECK_INTERVAL);
  const failuresLastHour = lastHour.filter((c) => !c.ok).length;
  let consecutive = 0;
  while (consecutive < checks.length && !checks[checks.length - 1 - consecutive]!.ok) consecutive++;
  const downSince = last.status === 'down' ? checks[checks.length - consecutive]!.checked_at : null;
  const latency = Math.round(lastHour.reduce((sum, c) => sum + c.latency_ms, 0) / lastHour.length);
  const message =
    last.status === 'down' ? `${last.message} — failing since ${localClock(z, downSince!)} (${consecutive} failed checks)`
    : last.status === 'degraded' ? `Slow: ${latency} ms on average over the last hour; ${failuresLastHour} of ${lastHour.length} checks failed`
    : null;
  return {
    component_name: name,
    status: last.status,
    latency_ms: latency,
    error_rate: round4(failuresLastHour / lastHour.length),
    uptime_percentage: round2((checks.filter((c) => c.ok).length / checks.length) * 100),
    last_checked: last.checked_at,
    down_since: downSince,
    consecutive_failures: consecutive,
    message,
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

interface ErrorRecord extends Issue {
  timestamp: number;
  message_in: string | null;
  skill_name: string | null;
  conversation_id: string | null;
  /** Set for incidents whose resolution is part of the story. */
  resolution?: ResolutionStatus;
}

/** The errors the integrations' failed checks raised. */
function incidentErrors(z: Zone, checks: Map<string, HealthCheck[]>): ErrorRecord[] {
  const firstFailure = (name: string, from = 0) => checks.get(name)!.slice(from).find((c) => !c.ok)!;
  const records: ErrorRecord[] = [];
  const base = { message_in: null, skill_name: null, conversation_id: null };

  const down = checks.get(DOWN_COMPONENT)!;
  const outageStart = down[down.length - DOWN_CHECKS]!.checked_at;
  records.push({
    ...base,
    timestamp: outageStart + 2 * CHECK_INTERVAL,
    error_type: 'integration_down',
    severity: 'critical',
    component: DOWN_COMPONENT,
    context: 'Three health checks in a row of the Zapier webhook ("New lead → CRM") failed with HTTP 502; new-lead events are queued',
    root_cause: `Zapier triggers have failed every check since ${localClock(z, outageStart)} with HTTP 502 from the webhook`,
    recommended_fix: 'Check the Zapier webhook URL and API key in the integration settings, then replay the queued lead events',
  });
  records.push({
    ...base,
    timestamp: firstFailure(DEGRADED_COMPONENT, CHECKS_PER_DAY - DEGRADED_CHECKS).checked_at,
    error_type: 'api_failure',
    severity: 'medium',
    component: DEGRADED_COMPONENT,
    context: 'Calendar sync to Outlook timed out after 10 s while confirming an appointment',
    root_cause: 'Microsoft Graph is throttling calendar sync (HTTP 429), so Outlook sync is slow and sometimes times out',
    recommended_fix: 'Reduce the Outlook sync polling frequency and honour the Retry-After header',
  });
  records.push({
    ...base,
    timestamp: firstFailure('calendly_api').checked_at,
    error_type: 'api_failure',
    severity: 'high',
    component: 'calendly_api',
    context: 'The health check and 3 booking attempts got HTTP 503 from Calendly over 4 minutes',
    root_cause: 'Calendly API returned 503 for 4 minutes',
    recommended_fix: 'Check the Calendly integration token and add a retry with backoff',
    resolution: 'resolved',
  });
  records.push({
    ...base,
    timestamp: firstFailure('crm_pipeline').checked_at,
    error_type: 'api_failure',
    severity: 'medium',
    component: 'crm_pipeline',
    context: 'Saving call notes: the CRM pipeline webhook did not answer within 10 s',
    root_cause: 'CRM pipeline webhook timed out (10 s) while saving call notes',
    recommended_fix: 'Raise the CRM webhook timeout and queue note writes for retry',
    resolution: 'fix_approved',
  });
  return records;
}

const RESOLUTION_ACTIONS: Partial<Record<ResolutionStatus, { action: string; note: string }>> = {
  fix_approved: { action: 'approve-fix', note: 'Approved the recommended fix' },
  resolved: { action: 'resolve', note: 'Fix deployed and verified on new conversations' },
  wont_fix: { action: 'wont-fix', note: 'Out of scope for the receptionist; loan officers answer these directly' },
};

/** Older errors have partly been worked through by the operations team. */
function resolutionOf(rng: Rng, record: ErrorRecord, now: number): ResolutionStatus {
  if (record.resolution) return record.resolution;
  if (now - record.timestamp < 2 * DAY) return 'unresolved';
  const r = rng.next();
  if (r < 0.14) return 'fix_approved';
  if (r < 0.26) return 'resolved';
  if (r < 0.32 && record.error_type === 'unrecognized_request') return 'wont_fix';
  return 'unresolved';
}

// ---------------------------------------------------------------------------------------------
// Writing

const INSERT_ACTIVITY = `INSERT INTO ai_receptionist_activity (id, tenant_id, timestamp, client_id, client_name,
  client_phone, action_type, channel, message_in, message_out, confidence_score, skill_name, lead_stage, outcome_status,
  response_time_ms, conversation_id, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface Progress {
  total: number;
  report: NonNullable<SeedOptions['onProgress']>;
}

/**
 * Inserts activities in the order given, committing every ROWS_PER_TRANSACTION rows so the
 * write-ahead log stays small, and keeps what skill scoring needs as it goes.
 */
class ActivityWriter {
  written = 0;
  /** Per skill: every activity naming it, and the ones that succeeded or failed. */
  readonly skills = new Map<string, { usage: number; samples: SkillSample[] }>();
  readonly #sqlite: Database.Database;
  readonly #insert: Database.Statement<unknown[]>;
  readonly #tenantId: number;
  readonly #progress: Progress | null;

  constructor(sqlite: Database.Database, tenantId: number, progress: Progress | null) {
    this.#sqlite = sqlite;
    this.#insert = sqlite.prepare(INSERT_ACTIVITY);
    this.#tenantId = tenantId;
    this.#progress = progress;
  }

  write(a: SeedActivity): void {
    const c = a.client;
    this.#insert.run(
      a.id, this.#tenantId, a.timestamp, c.id, c.name, c.phone, a.action_type, a.channel, a.message_in, a.message_out,
      a.confidence_score, a.skill_name, c.stage, a.outcome_status, a.response_time_ms, a.conversation_id, a.metadata,
    );
    const skill = a.skill_name;
    if (skill !== null) {
      let stats = this.skills.get(skill);
      if (!stats) this.skills.set(skill, (stats = { usage: 0, samples: [] }));
      stats.usage++;
      if (a.outcome_status === 'success' || a.outcome_status === 'failed') stats.samples.push({ timestamp: a.timestamp, success: a.outcome_status === 'success' });
    }
    this.written++;
    if (this.written % ROWS_PER_TRANSACTION === 0) {
      this.#sqlite.exec('COMMIT');
      this.#sqlite.exec('BEGIN');
    }
    if (this.#progress && this.written % PROGRESS_EVERY === 0) this.#progress.report(this.written, this.#progress.total);
  }

  finish(): void {
    if (this.#progress && this.written % PROGRESS_EVERY !== 0) this.#progress.report(this.written, this.#progress.total);
  }
}

const byTimestamp = (a: SeedActivity, b: SeedActivity) => a.timestamp - b.timestamp;

/** Roughly how many activities a conversation yields; only sizes the transcript sample in bulk mode. */
const ACTIVITIES_PER_CONVERSATION = 3.2;

interface Generated {
  conversations: ConversationRow[];
  errors: ErrorRecord[];
}

/**
 * Generates and writes every activity in timestamp order, minute by minute.
 *
 * Each quarter hour starts with its conversations with transcripts (about perDay a day). In bulk
 * mode, activity-only conversations then fill the table so that by the end of every minute the
 * rows written match that minute's share of the traffic curve, ending at exactly `rows`.
 * Transcript conversations that would overrun `rows` are left out, and in bulk mode they take
 * at most about half of the rows, so small `rows` still spread over every day.
 *
 * A row is held back only until no earlier row can still arrive, for most rows under a minute,
 * so little is in memory at once and each sort is small.
 */
function generateActivities(
  world: World,
  slots: Slot[],
  options: { perDay: number; rows: number | undefined; days: number },
  streams: { conversations: Rng; bulk: Rng },
  writer: ActivityWriter,
): Generated {
  const { perDay, rows, days } = options;
  const transcriptPlanner = new ConversationPlanner(world, streams.conversations);
  const bulkPlanner = new ConversationPlanner(world, streams.bulk);
  const sampleScale = rows === undefined ? 1 : Math.min(1, rows / 2 / (perDay * days * ACTIVITIES_PER_CONVERSATION));
  const totalWeight = slots.reduce((sum, slot) => sum + slot.weight, 0);
  const generated: Generated = { conversations: [], errors: [] };
  let pending: SeedActivity[] = [];
  let cumulativeWeight = 0;
  let previousTarget = 0;
  let produced = 0;
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k]!;
    const count = streams.conversations.poisson(slot.weight * perDay * sampleScale);
    for (let i = 0; i < count; i++) {
      const { activities, row } = transcriptPlanner.plan(instantIn(slot, streams.conversations), true);
      if (rows !== undefined && produced + activities.length > rows) continue;
      generated.conversations.push(row!);
      for (const activity of activities) {
        pending.push(activity);
        if (activity.issue) generated.errors.push(errorRecord(activity, activity.issue));
      }
      produced += activities.length;
    }
    cumulativeWeight += slot.weight;
    const slotTarget = rows === undefined ? 0 : k === slots.length - 1 ? rows : Math.round((rows * cumulativeWeight) / totalWeight);
    for (let from = slot.start; from < slot.end; from += MINUTE) {
      const to = Math.min(from + MINUTE, slot.end);
      if (rows !== undefined) {
        const target = Math.round(previousTarget + ((slotTarget - previousTarget) * (to - slot.start)) / (slot.end - slot.start));
        while (produced < target) {
          const { activities } = bulkPlanner.plan(from + Math.floor(streams.bulk.next() * (to - from)), false);
          const room = rows - produced;
          for (let i = 0; i < activities.length && i < room; i++) pending.push(activities[i]!);
          produced += Math.min(activities.length, room);
        }
      }
      pending.sort(byTimestamp);
      let i = 0;
      while (i < pending.length && pending[i]!.timestamp < to) writer.write(pending[i++]!);
      pending = pending.slice(i);
    }
    previousTarget = slotTarget;
  }
  for (const activity of pending) writer.write(activity);
  writer.finish();
  return generated;
}

function errorRecord(activity: SeedActivity, issue: Issue): ErrorRecord {
  return {
    ...issue,
    timestamp: activity.timestamp,
    message_in: activity.message_in,
    skill_name: activity.skill_name,
    conversation_id: activity.conversation_id,
  };
}

/**
 * Seeds one tenant, assumed empty, with demo data (see the top of this file); metrics_daily is
 * left to the aggregation job. Runs in transactions of ROWS_PER_TRANSACTION activities, so a
 * failure part-way through a bulk seed keeps the rows already committed.
 */
export function seedTenant(db: Db, options: SeedOptions): SeedResult {
  const { tenantId, timezone, seed = 42, days = 14, perDay = 150, rows, now = Date.now(), onProgress } = options;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive integer, got ${days}`);
  if (!(perDay >= 0)) throw new RangeError(`perDay must be 0 or more, got ${perDay}`);
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 0)) throw new RangeError(`rows must be a whole number, got ${rows}`);

  const z = zone(timezone);
  const historyStart = z.startOfDay(addDays(z.localDate(now), 1 - days));
  const rng = new Rng(seed, new IdSpace(tenantId));
  const clients = makeClients(rng, z, now);
  const world: World = {
    zone: z,
    now,
    historyStart,
    // Some borrowers call far more often than others.
    clients: new Weighted(clients.map((c) => [c, rng.between(0.4, 2)] as const)),
    skills: new Map(SKILL_DESIGNS.map((design) => [design.name, design])),
    dailyRates: makeDailyRates(rng, days),
  };
  const slots = trafficSlots(rng, z, historyStart, now);

  const streams = { conversations: rng.derive(), bulk: rng.derive() };

  const sqlite = db.$client;
  sqlite.exec('BEGIN');
  try {
    // Progress is for bulk mode, where the total is known and large.
    const writer = new ActivityWriter(sqlite, tenantId, rows !== undefined && onProgress ? { total: rows, report: onProgress } : null);
    const { conversations, errors: conversationErrors } = generateActivities(world, slots, { perDay, rows, days }, streams, writer);

    const insertConversation = sqlite.prepare(`INSERT INTO ai_receptionist_conversations (id, tenant_id, client_id,
      client_name, client_phone, channel, started_at, ended_at, transcript, summary, intent, sentiment, outcome,
      ended_reason, avg_confidence_score, total_turns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const r of conversations) {
      insertConversation.run(
        r.id, tenantId, r.client.id, r.client.name, r.client.phone, r.channel, r.started_at, r.ended_at, r.transcript,
        r.summary, r.intent, r.sentiment, r.outcome, r.ended_reason, r.avg_confidence_score, r.total_turns,
      );
    }

    const checks = new Map<string, HealthCheck[]>();
    const insertCheck = sqlite.prepare(`INSERT INTO ai_receptionist_health_checks (tenant_id, component_name, checked_at, ok,
      status, latency_ms, message) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const insertHealth = sqlite.prepare(`INSERT INTO ai_receptionist_system_health (tenant_id, component_name, status,
      latency_ms, error_rate, uptime_percentage, last_checked, down_since, consecutive_failures, message)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    COMPONENTS.forEach(({ name, latency }, i) => {
      // Components are probed a few seconds apart, every 5 minutes.
      const stagger = i * 20_000;
      const lastCheck = Math.floor((now - stagger) / CHECK_INTERVAL) * CHECK_INTERVAL + stagger;
      const history = componentChecks(rng, name, latency, lastCheck);
      checks.set(name, history);
      for (const c of history) insertCheck.run(tenantId, name, c.checked_at, c.ok ? 1 : 0, c.status, c.latency_ms, c.message);
      const h = summarizeChecks(z, name, history);
      insertHealth.run(tenantId, name, h.status, h.latency_ms, h.error_rate, h.uptime_percentage, h.last_checked, h.down_since, h.consecutive_failures, h.message);
    });

    const errorRecords = [...incidentErrors(z, checks), ...conversationErrors];
    errorRecords.sort((a, b) => a.timestamp - b.timestamp);
    const insertError = sqlite.prepare(`INSERT INTO ai_receptionist_errors (id, tenant_id, timestamp, error_type, severity,
      message_in, context, skill_name, component, conversation_id, root_cause, recommended_fix, needs_human_review,
      resolution_status, resolved_by, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertAudit = sqlite.prepare(`INSERT INTO ai_receptionist_error_audit (tenant_id, error_id, at, actor, action,
      from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const e of errorRecords) {
      const id = rng.uuid();
      const status = resolutionOf(rng, e, now);
      const change = RESOLUTION_ACTIONS[status];
      const resolvedBy = change ? rng.pick(OPS_REVIEWERS) : null;
      const resolvedAt = change ? Math.min(now, e.timestamp + Math.round(rng.between(2 * HOUR, 40 * HOUR))) : null;
      const needsReview = e.error_type === 'low_confidence' || e.error_type === 'transfer_failed' || e.severity === 'critical';
      insertError.run(
        id, tenantId, e.timestamp, e.error_type, e.severity, e.message_in, e.context, e.skill_name, e.component,
        e.conversation_id, e.root_cause, e.recommended_fix, needsReview ? 1 : 0, status, resolvedBy, resolvedAt,
      );
      if (change) insertAudit.run(tenantId, id, resolvedAt, resolvedBy, change.action, 'unresolved', status, change.note);
    }

    const insertSkill = sqlite.prepare(`INSERT INTO ai_receptionist_skills (tenant_id, skill_name, skill_category,
      accuracy_score, accuracy_score_7day, trend, usage_count, needs_retraining, last_trained_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const design of SKILL_DESIGNS) {
      const stats = writer.skills.get(design.name);
      const score = scoreSkill(stats?.samples ?? [], now);
      const lastTrained = now - Math.round(rng.between(4, 40) * DAY);
      insertSkill.run(
        tenantId, design.name, design.category, score.accuracy_score, score.accuracy_score_7day, score.trend,
        stats?.usage ?? 0, score.needs_retraining ? 1 : 0, lastTrained, now,
      );
    }

    sqlite.exec('COMMIT');
    return {
      activities: writer.written,
      conversations: conversations.length,
      errors: errorRecords.length,
      skills: SKILL_DESIGNS.length,
      components: COMPONENTS.length,
    };
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
}
