/**
 * Error diagnosis (SPEC §4.6): a root cause and a recommended fix for an error, from its type,
 * the caller's words, its skill and component, and what else is known at the time (the
 * component's health, the tenant's skills).
 *
 * {@link Diagnoser} is the seam: {@link rulesDiagnoser} answers from fixed rules, synchronously,
 * inside the ingest transaction, so an error is never stored without a diagnosis. A model-based
 * diagnoser implements the same interface over the same inputs (everything it needs is in the
 * error and the facts, nothing is read from elsewhere); one that must wait on a remote model
 * would give the rules' answer at ingest and refine it afterwards through the error workflow.
 */
import type { ErrorType, HealthStatus } from '../db/schema.js';

export interface ErrorToDiagnose {
  error_type: ErrorType;
  /** What the caller said or wrote (untrusted text: quoted, never interpreted). */
  message_in: string | null;
  skill_name: string | null;
  component: string | null;
  context: string | null;
}

export interface ComponentFact {
  component_name: string;
  status: HealthStatus;
  down_since: number | null;
  consecutive_failures: number;
  last_checked: number | null;
  message: string | null;
}

export interface SkillFact {
  skill_name: string;
  skill_category: string;
  /** 7-day accuracy, 0–1, when scored. */
  accuracy_score_7day: number | null;
  needs_retraining: boolean;
}

export interface DiagnosisFacts {
  /** The tenant's time zone, for the times a diagnosis mentions. */
  timezone: string;
  /** The error's component as last checked, if it is known. */
  component: ComponentFact | null;
  /** The error's skill, if it is known. */
  skill: SkillFact | null;
  /** The skills that answer frequently asked questions (by name or category), where uncovered questions belong. */
  faq_skills: readonly string[];
}

export interface Diagnosis {
  root_cause: string;
  recommended_fix: string;
}

export interface Diagnoser {
  diagnose(error: ErrorToDiagnose, facts: DiagnosisFacts): Diagnosis;
}

/** Caller words quoted in a diagnosis are cut to this many characters. */
const QUOTE_MAX = 80;

/** The caller's words on one line, cut at a word boundary. */
export function quote(text: string | null): string | null {
  const words = text?.replace(/\s+/g, ' ').trim();
  if (!words) return null;
  if (words.length <= QUOTE_MAX) return `'${words}'`;
  const cut = words.slice(0, QUOTE_MAX);
  const space = cut.lastIndexOf(' ');
  return `'${(space > QUOTE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…'`;
}

/** "2026-11-20 15:15 America/New_York": a local time a person reads without converting. */
export function localTime(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function unrecognized(error: ErrorToDiagnose, facts: DiagnosisFacts): Diagnosis {
  const words = quote(error.message_in);
  const faq = facts.faq_skills[0];
  const what = words ? `an answer to ${words}` : 'an answer for it';
  const addTo = faq ? `Add ${what} to the FAQ ("${faq}")` : `Add ${what} to the FAQ`;
  if (facts.skill) {
    return {
      root_cause: `No skill covers this request (it went to "${facts.skill.skill_name}", which does not handle it)`,
      recommended_fix: `${addTo}, or create a skill for it and route such requests there instead of "${facts.skill.skill_name}".`,
    };
  }
  return {
    root_cause: 'No skill covers this request',
    recommended_fix: `${addTo}, or create a skill that handles it.`,
  };
}

function lowConfidence(error: ErrorToDiagnose, facts: DiagnosisFacts): Diagnosis {
  const words = quote(error.message_in);
  const name = facts.skill?.skill_name ?? error.skill_name;
  if (!name) {
    return {
      root_cause: 'The receptionist was unsure how to answer and no skill was named',
      recommended_fix: 'Review the conversation, find the skill that should have answered, and add this request to its training examples.',
    };
  }
  const accuracy = facts.skill?.accuracy_score_7day;
  const standing =
    accuracy != null ? `; its 7-day accuracy is ${pct(accuracy)}${facts.skill?.needs_retraining ? ' and it is flagged for retraining' : ''}` : '';
  return {
    root_cause: `Skill "${name}" answered with low confidence`,
    recommended_fix: `Retrain "${name}" with this request${words ? ` (${words})` : ''} and similar phrasings among its examples, then watch its accuracy${standing}.`,
  };
}

function failingComponent(error: ErrorToDiagnose, facts: DiagnosisFacts): Diagnosis {
  const name = facts.component?.component_name ?? error.component;
  const kind = error.error_type === 'integration_down' ? 'is down' : 'failed';
  if (!name) {
    return {
      root_cause: `An integration ${kind}, and the error does not say which one`,
      recommended_fix: 'Report the component with the error (the `component` field) so it can be traced; meanwhile check the integration logs.',
    };
  }
  const c = facts.component;
  if (c && (c.status === 'down' || c.status === 'degraded')) {
    const failures = c.consecutive_failures > 0 ? ` (${c.consecutive_failures} failed check${c.consecutive_failures === 1 ? '' : 's'} in a row)` : '';
    const since = c.status === 'down' && c.down_since !== null ? ` since ${localTime(c.down_since, facts.timezone)}` : '';
    return {
      // The check's message says what failed (and usually how often); without one, the count does.
      root_cause: `Integration ${name} ${c.status === 'down' ? 'failing' : 'degraded'}${since}${c.message ? `: ${c.message}` : failures}`,
      recommended_fix: `Check ${name}'s credentials and endpoint (and the provider's status page); once its checks pass again, retry what failed.`,
    };
  }
  if (c && c.status === 'active') {
    return {
      root_cause: `A call to ${name} ${kind === 'is down' ? 'could not reach it' : 'failed'} while its health checks pass: likely a problem with this request or a brief outage`,
      recommended_fix: `Look at the request sent to ${name} and its error answer${error.context ? ' (see the context)' : ''}; retry it, and check ${name}'s credentials if it fails again.`,
    };
  }
  return {
    root_cause: `Integration ${name} ${kind}; its health is not monitored`,
    recommended_fix: `Check ${name}'s credentials and endpoint, and add it to the health monitor so failures are caught before callers hit them.`,
  };
}

function transferFailed(error: ErrorToDiagnose): Diagnosis {
  return {
    root_cause: `A transfer to a person failed${error.context ? `: ${error.context.replace(/\s+/g, ' ').trim().slice(0, 200)}` : ''}`,
    recommended_fix: 'Check the transfer number and the on-call schedule (was someone available to take the call?), then call the client back.',
  };
}

function other(error: ErrorToDiagnose): Diagnosis {
  return {
    root_cause: `Unclassified error${error.skill_name ? ` in skill "${error.skill_name}"` : ''}${error.component ? ` (component ${error.component})` : ''}: no rule recognises it`,
    recommended_fix: 'Needs review: read the conversation and the error context, then record the cause and fix.',
  };
}

/** The rules of SPEC §4.6, one per error type. */
export const rulesDiagnoser: Diagnoser = {
  diagnose(error, facts) {
    switch (error.error_type) {
      case 'unrecognized_request':
        return unrecognized(error, facts);
      case 'low_confidence':
        return lowConfidence(error, facts);
      case 'api_failure':
      case 'integration_down':
        return failingComponent(error, facts);
      case 'transfer_failed':
        return transferFailed(error);
      case 'other':
        return other(error);
    }
  },
};
