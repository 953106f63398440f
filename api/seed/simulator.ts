import type { TenantContext } from '../auth/principal.js';
import type { ActionType, Channel, OutcomeStatus } from '../db/schema.js';
import type { ActivityInput } from '../ingest/schemas.js';
import type { IngestService } from '../ingest/service.js';
import type { Logger } from '../lib/logger.js';
import { ASSISTANT, BORROWERS, COMPANY, COMPONENTS, ENGLISH, INTENT_SKILL, INTENT_SUMMARY, INTENTS, LOAN_OFFICERS, SKILL, UNCOVERED_TOPICS, type Intent } from './data.js';

/**
 * Live demo traffic: a believable stream of calls and texts for one tenant — bookings,
 * pre-screens, escalations, the odd uncertain answer or error, and a component that flaps —
 * posted through the same IngestService the HTTP ingest routes use, so the demo exercises the
 * real pipeline (idempotency, outbox, stream, realtime metrics).
 */
export interface SimulatorOptions {
  /** Activities per minute, on average. */
  eventsPerMinute: number;
  seed?: number;
  log?: Logger;
}

type Step = { afterMs: number; run: () => void };

const PLACEHOLDERS: Record<string, string> = {
  company: COMPANY,
  assistant: ASSISTANT,
  rate30: '6.125',
  apr30: '6.31',
  rate15: '5.50',
  rateFha: '5.875',
  officer: LOAN_OFFICERS[0]!,
  day: 'Tuesday',
  time: '10:30 AM',
  slot: 'Tuesday at 10:30 AM',
  slot2: 'Wednesday at 2:00 PM',
  month: 'December',
  closingDate: 'December 12',
  meeting: 'a phone',
  loan: 'your loan',
  phone4: '0142',
  opener: 'Hi, this is Ava from Harborview Mortgage.',
};

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? PLACEHOLDERS[key] ?? '');
}

export class TrafficSimulator {
  readonly #queue: { at: number; run: () => void }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #state: number;
  #flapping: string | undefined;

  constructor(
    readonly ingest: IngestService,
    readonly tenant: TenantContext,
    readonly options: SimulatorOptions,
  ) {
    this.#state = (options.seed ?? Date.now()) >>> 0;
  }

  /** mulberry32: the demo varies from run to run unless a seed is given. */
  #random(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  #chance(p: number): boolean {
    return this.#random() < p;
  }

  start(): void {
    if (this.options.eventsPerMinute <= 0 || this.#timer) return;
    this.#tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs what is due, starts a new conversation now and then, and sleeps until the next thing. */
  #tick = (): void => {
    const now = Date.now();
    try {
      // About four activities per conversation: start conversations at a quarter of the rate.
      if (this.#queue.length < 20 && this.#chance(0.35)) this.#schedule(this.conversation(), now);
      if (this.#chance(0.01)) this.#schedule(this.flap(), now);
      this.#queue.sort((a, b) => a.at - b.at);
      while (this.#queue.length && this.#queue[0]!.at <= now) this.#queue.shift()!.run();
    } catch (e) {
      this.options.log?.warn('simulator step failed', { error: e instanceof Error ? e.message : String(e) });
    }
    const meanGap = 60_000 / this.options.eventsPerMinute;
    this.#timer = setTimeout(this.#tick, meanGap * (0.3 + this.#random() * 1.4));
    this.#timer.unref?.();
  };

  #schedule(steps: Step[], from: number): void {
    let at = from;
    for (const step of steps) {
      at += step.afterMs;
      this.#queue.push({ at, run: step.run });
    }
  }

  #post(input: ActivityInput): void {
    this.ingest.activities(this.tenant, [input]);
  }

  /** One conversation as a script of activities spread over a minute or two, then its transcript. */
  conversation(): Step[] {
    const index = Math.floor(this.#random() * BORROWERS.length);
    const [first, last] = BORROWERS[index]!;
    const client = {
      client_id: `cl_${String(index + 1).padStart(4, '0')}`,
      client_name: `${first} ${last}`,
      client_phone: `+1617555${String(1000 + index).slice(-4)}`,
    };
    const outbound = this.#chance(0.12);
    const channel: Channel = outbound ? 'sms' : this.#chance(0.6) ? 'voice' : 'sms';
    const intent: Intent = this.#pick(INTENTS);
    const lines = ENGLISH.intents[intent]?.exchanges ?? ENGLISH.intents.general_faq!.exchanges;
    const [said, answered] = this.#pick(lines).map((l) => fill(l, { first, last })) as [string, string];
    const skill = INTENT_SKILL[intent];
    const voice = channel === 'voice';
    const responseTime = () => Math.round(voice ? 500 + this.#random() * 1800 : 1200 + this.#random() * 5000);
    const base = { ...client, channel, conversation_id: null as string | null };
    const act = (action_type: ActionType, extra: Partial<ActivityInput> = {}, outcome: OutcomeStatus = 'success'): ActivityInput => ({
      ...base,
      action_type,
      outcome_status: outcome,
      confidence_score: Math.round((0.78 + this.#random() * 0.21) * 1000) / 1000,
      response_time_ms: responseTime(),
      skill_name: skill,
      ...extra,
    });
    // The transcript is written as the script is planned, with the times each turn will happen, and
    // the conversation is ingested first so that every activity can name it.
    const transcript: { speaker: 'ai' | 'caller' | 'agent'; text: string; at: string; confidence?: number }[] = [];
    let elapsed = 0;
    const startedAt = Date.now();
    const say = (speaker: 'ai' | 'caller' | 'agent', text: string) =>
      transcript.push({ speaker, text, at: new Date(startedAt + elapsed).toISOString(), ...(speaker === 'ai' ? { confidence: 0.9 } : {}) });

    const steps: Step[] = [];
    const then = (afterMs: number, run: () => void) => {
      elapsed += afterMs;
      steps.push({ afterMs, run });
    };
    let outcome = 'answered';
    say('caller', said);
    say('ai', answered);
    then(0, () => this.#post(act(outbound ? 'outbound_followup' : voice ? 'incoming_call' : 'incoming_text', { message_in: said, message_out: answered })));
    if (this.#chance(0.07)) {
      const q = this.#pick(UNCOVERED_TOPICS);
      then(8_000, () => {
        this.#post(act('ai_uncertainty', { message_in: q.question, confidence_score: 0.41, skill_name: q.route }, 'failed'));
        this.ingest.error(this.tenant, {
          error_type: 'unrecognized_request',
          severity: 'medium',
          message_in: q.question,
          context: `No skill covers ${q.topic}`,
          skill_name: q.route,
          root_cause: `No skill covers questions about ${q.topic}`,
          recommended_fix: `Add a FAQ entry on ${q.topic} and route it to ${q.route}`,
          needs_human_review: true,
        });
      });
      say('caller', q.question);
      say('ai', 'Let me have a loan officer follow up with you on that.');
    }
    if (this.#chance(0.08)) {
      outcome = 'escalated';
      then(10_000, () => this.#post(act('escalated', { skill_name: SKILL.escalation, message_out: 'Transferring you to a loan officer now.' }, 'escalated')));
      say('agent', `Hi ${first}, this is ${this.#pick(LOAN_OFFICERS)}. I can take it from here.`);
    } else if (intent === 'prequalification' || intent === 'book_appointment' || this.#chance(0.3)) {
      then(12_000, () => this.#post(act('lead_prescreened', { skill_name: SKILL.prescreen, lead_stage: 'prescreened' })));
      if (this.#chance(0.6)) {
        outcome = 'booked';
        const officer = this.#pick(LOAN_OFFICERS);
        then(15_000, () => this.#post(act('appointment_booked', { skill_name: SKILL.scheduling, message_out: `Booked with ${officer} for Tuesday at 10:30 AM.` })));
        say('ai', `You are all set with ${officer} for Tuesday at 10:30 AM. You will get a confirmation text shortly.`);
      }
    } else {
      then(9_000, () => this.#post(act('faq_answered', { message_in: said, message_out: answered })));
    }
    then(5_000, () => this.#post(act('crm_updated', { skill_name: null, message_out: `Logged: ${INTENT_SUMMARY[intent]}` })));
    const conversation = {
      ...client,
      channel,
      started_at: new Date(startedAt).toISOString(),
      ended_at: new Date(startedAt + elapsed).toISOString(),
      transcript,
      summary: `${first} ${INTENT_SUMMARY[intent]}.`,
      intent,
      sentiment: outcome === 'escalated' ? ('mixed' as const) : this.#chance(0.8) ? ('positive' as const) : ('neutral' as const),
      outcome,
      ended_reason: outcome === 'escalated' ? 'transferred' : 'completed',
    };
    const first0 = steps[0]!.run;
    steps[0]!.run = () => {
      const answer = this.ingest.conversation(this.tenant, conversation);
      base.conversation_id = (answer.body as { data: { id: string } }).data.id;
      first0();
    };
    return steps;
  }

  /** A component degrades (or goes down) for a while, then recovers. */
  flap(): Step[] {
    if (this.#flapping) return [];
    const component = this.#pick(COMPONENTS.filter((c) => c.name !== 'zapier_triggers'));
    this.#flapping = component.name;
    const down = this.#chance(0.3);
    return [
      {
        afterMs: 0,
        run: () =>
          this.ingest.healthReport(this.tenant, component.name, {
            status: down ? 'down' : 'degraded',
            latency_ms: down ? null : component.latency * 6,
            error_rate: down ? 1 : 0.12,
            message: down ? `${component.name} is not answering` : `${component.name} is slow`,
          }),
      },
      {
        afterMs: 90_000,
        run: () => {
          this.#flapping = undefined;
          this.ingest.healthReport(this.tenant, component.name, { status: 'active', latency_ms: component.latency, error_rate: 0, message: null });
        },
      },
    ];
  }
}
