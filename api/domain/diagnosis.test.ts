import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localTime, quote, rulesDiagnoser, type ComponentFact, type DiagnosisFacts, type ErrorToDiagnose } from './diagnosis.js';

const DOWN_SINCE = Date.parse('2026-11-20T19:15:00Z');
const none: DiagnosisFacts = { timezone: 'America/New_York', component: null, skill: null, faq_skills: [] };
const error = (e: Partial<ErrorToDiagnose> & Pick<ErrorToDiagnose, 'error_type'>): ErrorToDiagnose => ({
  message_in: null,
  skill_name: null,
  component: null,
  context: null,
  ...e,
});
const component = (c: Partial<ComponentFact>): ComponentFact => ({
  component_name: 'calendly_api',
  status: 'active',
  down_since: null,
  consecutive_failures: 0,
  last_checked: DOWN_SINCE,
  message: null,
  ...c,
});

describe('rulesDiagnoser', () => {
  test('unrecognized_request: no skill covers it (the same root cause for every such request, so they group) → add the caller’s request to the FAQ or create a skill', () => {
    const d = rulesDiagnoser.diagnose(error({ error_type: 'unrecognized_request', message_in: 'Do you do reverse\nmortgages in Guam?' }), {
      ...none,
      faq_skills: ['General FAQ'],
    });
    assert.deepEqual(d, {
      root_cause: 'No skill covers this request',
      recommended_fix: `Add an answer to 'Do you do reverse mortgages in Guam?' to the FAQ ("General FAQ"), or create a skill that handles it.`,
    });
    const routed = rulesDiagnoser.diagnose(error({ error_type: 'unrecognized_request', message_in: 'escrow?', skill_name: 'Rate Inquiry' }), {
      ...none,
      skill: { skill_name: 'Rate Inquiry', skill_category: 'sales', accuracy_score_7day: 0.9, needs_retraining: false },
    });
    assert.equal(routed.root_cause, 'No skill covers this request (it went to "Rate Inquiry", which does not handle it)');
    assert.equal(routed.recommended_fix, `Add an answer to 'escrow?' to the FAQ, or create a skill for it and route such requests there instead of "Rate Inquiry".`);
    const silent = rulesDiagnoser.diagnose(error({ error_type: 'unrecognized_request' }), none);
    assert.equal(silent.root_cause, 'No skill covers this request');
    assert.equal(silent.recommended_fix, 'Add an answer for it to the FAQ, or create a skill that handles it.');
  });

  test('low_confidence: the skill answered unsure → retrain it, with its accuracy when known', () => {
    const d = rulesDiagnoser.diagnose(error({ error_type: 'low_confidence', message_in: 'what is my rate lock', skill_name: 'Rate Inquiry' }), {
      ...none,
      skill: { skill_name: 'Rate Inquiry', skill_category: 'sales', accuracy_score_7day: 0.62, needs_retraining: true },
    });
    assert.equal(d.root_cause, 'Skill "Rate Inquiry" answered with low confidence');
    assert.equal(
      d.recommended_fix,
      "Retrain \"Rate Inquiry\" with this request ('what is my rate lock') and similar phrasings among its examples, then watch its accuracy; its 7-day accuracy is 62% and it is flagged for retraining.",
    );
    const unscored = rulesDiagnoser.diagnose(error({ error_type: 'low_confidence', skill_name: 'New Skill' }), none);
    assert.equal(unscored.root_cause, 'Skill "New Skill" answered with low confidence');
    assert.match(unscored.recommended_fix, /^Retrain "New Skill"/);
    const anonymous = rulesDiagnoser.diagnose(error({ error_type: 'low_confidence', message_in: 'hm' }), none);
    assert.match(anonymous.root_cause, /no skill was named/);
    assert.match(anonymous.recommended_fix, /training examples/);
  });

  test('api_failure and integration_down with the component down: failing since when, how many checks → check its credentials and endpoint', () => {
    const facts = { ...none, component: component({ status: 'down', down_since: DOWN_SINCE, consecutive_failures: 4, message: 'HTTP 503 (4 failures in a row)' }) };
    for (const error_type of ['api_failure', 'integration_down'] as const) {
      const d = rulesDiagnoser.diagnose(error({ error_type, component: 'calendly_api' }), facts);
      assert.equal(d.root_cause, 'Integration calendly_api failing since 2026-11-20 14:15 America/New_York: HTTP 503 (4 failures in a row)');
      assert.equal(d.recommended_fix, "Check calendly_api's credentials and endpoint (and the provider's status page); once its checks pass again, retry what failed.");
    }
    const degraded = rulesDiagnoser.diagnose(error({ error_type: 'api_failure', component: 'calendly_api' }), { ...none, component: component({ status: 'degraded', consecutive_failures: 1 }) });
    assert.equal(degraded.root_cause, 'Integration calendly_api degraded (1 failed check in a row)');
    const heartbeat = rulesDiagnoser.diagnose(error({ error_type: 'integration_down', component: 'calendly_api' }), {
      ...none,
      component: component({ status: 'down', down_since: DOWN_SINCE, consecutive_failures: 3 }),
    });
    assert.equal(heartbeat.root_cause, 'Integration calendly_api failing since 2026-11-20 14:15 America/New_York (3 failed checks in a row)');
  });

  test('api_failure with the component healthy, unmonitored or unnamed', () => {
    const healthy = rulesDiagnoser.diagnose(error({ error_type: 'api_failure', component: 'calendly_api', context: 'HTTP 422' }), { ...none, component: component({}) });
    assert.match(healthy.root_cause, /^A call to calendly_api failed while its health checks pass/);
    assert.match(healthy.recommended_fix, /\(see the context\)/);
    const unknown = rulesDiagnoser.diagnose(error({ error_type: 'integration_down', component: 'pinecone_db' }), none);
    assert.equal(unknown.root_cause, 'Integration pinecone_db is down; its health is not monitored');
    assert.match(unknown.recommended_fix, /^Check pinecone_db's credentials and endpoint, and add it to the health monitor/);
    const unnamed = rulesDiagnoser.diagnose(error({ error_type: 'api_failure' }), none);
    assert.equal(unnamed.root_cause, 'An integration failed, and the error does not say which one');
    assert.match(unnamed.recommended_fix, /`component` field/);
  });

  test('transfer_failed → check the transfer number and the on-call schedule', () => {
    const d = rulesDiagnoser.diagnose(error({ error_type: 'transfer_failed', context: 'Dialed +1 555 0100:\nno answer after 30 s' }), none);
    assert.equal(d.root_cause, 'A transfer to a person failed: Dialed +1 555 0100: no answer after 30 s');
    assert.match(d.recommended_fix, /^Check the transfer number and the on-call schedule/);
    assert.equal(rulesDiagnoser.diagnose(error({ error_type: 'transfer_failed' }), none).root_cause, 'A transfer to a person failed');
  });

  test('other → needs review', () => {
    const d = rulesDiagnoser.diagnose(error({ error_type: 'other', skill_name: 'Voicemail', component: 'voice_endpoint', message_in: 'hello?' }), none);
    assert.equal(d.root_cause, 'Unclassified error in skill "Voicemail" (component voice_endpoint): no rule recognises it');
    assert.match(d.recommended_fix, /^Needs review/);
  });

  test('every error type gets a non-empty root cause and fix, whatever is missing', () => {
    for (const error_type of ['unrecognized_request', 'low_confidence', 'api_failure', 'integration_down', 'transfer_failed', 'other'] as const) {
      const d = rulesDiagnoser.diagnose(error({ error_type }), none);
      assert.ok(d.root_cause.length > 10 && d.recommended_fix.length > 10, error_type);
    }
  });
});

describe('quote and localTime', () => {
  test('quotes caller words on one line, cut at a word boundary', () => {
    assert.equal(quote(null), null);
    assert.equal(quote('  \n '), null);
    assert.equal(quote('a\tb'), "'a b'");
    const long = quote('word '.repeat(40))!;
    assert.ok(long.length <= 84 && long.endsWith("word…'"), long);
    assert.equal(quote('x'.repeat(100)), `'${'x'.repeat(80)}…'`);
  });

  test('local time in the tenant’s zone, across a daylight-saving change', () => {
    assert.equal(localTime(DOWN_SINCE, 'Europe/Berlin'), '2026-11-20 20:15 Europe/Berlin');
    assert.equal(localTime(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York'), '2026-07-01 08:00 America/New_York');
  });
});
