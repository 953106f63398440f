import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreSkill, skillCategory, type SkillSample } from './skills.js';

const NOW = Date.UTC(2025, 2, 12, 18, 0, 0);
const DAY = 86_400_000;

/** `ok` successes and `failed` failures, all `daysAgo` days before NOW. */
function samples(daysAgo: number, ok: number, failed: number): SkillSample[] {
  const timestamp = NOW - daysAgo * DAY;
  return [...Array<boolean>(ok).fill(true), ...Array<boolean>(failed).fill(false)].map((success) => ({ timestamp, success }));
}

test('no samples: no scores, nothing to retrain', () => {
  assert.deepEqual(scoreSkill([], NOW), { accuracy_score: null, accuracy_score_7day: null, trend: null, needs_retraining: false });
});

test('accuracy is successes over successes and failures, per window', () => {
  const score = scoreSkill([...samples(1, 9, 1), ...samples(10, 7, 3), ...samples(20, 1, 1)], NOW);
  assert.equal(score.accuracy_score_7day, 0.9);
  assert.equal(score.accuracy_score, 0.7727); // 17 / 22
  assert.equal(score.trend, 0.2);
  assert.equal(score.needs_retraining, false);
});

test('windows: the last 7 days, the 7 before them, the last 30; later samples are ignored', () => {
  const justInside7 = { timestamp: NOW - 7 * DAY + 1, success: false };
  const at7 = { timestamp: NOW - 7 * DAY, success: true };
  const at14 = { timestamp: NOW - 14 * DAY, success: false };
  const at30 = { timestamp: NOW - 30 * DAY, success: false };
  const future = { timestamp: NOW + 1, success: false };
  const score = scoreSkill([justInside7, at7, at14, at30, future], NOW);
  // 7-day window: justInside7 only; the week before: at7 only; 30 days: all but at30 and future.
  assert.equal(score.accuracy_score_7day, 0);
  assert.equal(score.trend, -1);
  assert.equal(score.accuracy_score, 0.3333);
});

test('trend is null when either week has no samples', () => {
  assert.equal(scoreSkill(samples(2, 5, 0), NOW).trend, null);
  assert.equal(scoreSkill(samples(9, 5, 0), NOW).trend, null);
  assert.equal(scoreSkill(samples(9, 5, 0), NOW).accuracy_score_7day, null);
});

test('needs retraining below 0.75 over 7 days', () => {
  assert.equal(scoreSkill(samples(1, 74, 26), NOW).needs_retraining, true);
  assert.equal(scoreSkill(samples(1, 75, 25), NOW).needs_retraining, false);
});

test('needs retraining on a drop of ten points or more, even when still accurate', () => {
  const dropOfTen = scoreSkill([...samples(2, 85, 15), ...samples(9, 95, 5)], NOW);
  assert.equal(dropOfTen.trend, -0.1);
  assert.equal(dropOfTen.needs_retraining, true);
  const dropOfNine = scoreSkill([...samples(2, 86, 14), ...samples(9, 95, 5)], NOW);
  assert.equal(dropOfNine.trend, -0.09);
  assert.equal(dropOfNine.needs_retraining, false);
});

test('scores are rounded to 4 decimals', () => {
  const score = scoreSkill(samples(1, 2, 1), NOW);
  assert.equal(score.accuracy_score_7day, 0.6667);
  assert.equal(score.accuracy_score, 0.6667);
});

test('a counted sample scores as that many samples', () => {
  const rows = [...samples(1, 7, 3), ...samples(10, 9, 1), ...samples(29, 0, 4)];
  const counted: SkillSample[] = [
    { timestamp: NOW - DAY, success: true, count: 7 },
    { timestamp: NOW - DAY, success: false, count: 3 },
    { timestamp: NOW - 10 * DAY, success: true, count: 9 },
    { timestamp: NOW - 10 * DAY, success: false },
    { timestamp: NOW - 29 * DAY, success: false, count: 4 },
  ];
  assert.deepEqual(scoreSkill(counted, NOW), scoreSkill(rows, NOW));
  assert.deepEqual(scoreSkill(counted, NOW), { accuracy_score: 0.6667, accuracy_score_7day: 0.7, trend: -0.2, needs_retraining: true });
});

test('a new skill’s category follows what its activities mostly do; failures do not vote', () => {
  assert.equal(skillCategory(new Map([['appointment_booked', 5], ['faq_answered', 2]])), 'scheduling');
  assert.equal(skillCategory(new Map([['lead_prescreened', 3], ['error', 40], ['ai_uncertainty', 9]])), 'sales');
  assert.equal(skillCategory(new Map([['escalated', 2], ['faq_answered', 1]])), 'support');
  assert.equal(skillCategory(new Map([['error', 4]])), 'general');
  assert.equal(skillCategory(new Map()), 'general');
});
