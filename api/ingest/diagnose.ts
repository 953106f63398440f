/**
 * Gives an ingested error the diagnosis it lacks: gathers the facts a {@link Diagnoser} works
 * from (the component's health, the skill, the tenant's FAQ skills) and asks it. Runs inside the
 * ingest transaction, so the stored error and its `error.detected` event carry the diagnosis.
 */
import type Database from 'better-sqlite3';
import type { TenantContext } from '../auth/principal.js';
import { rulesDiagnoser, type ComponentFact, type Diagnoser, type ErrorToDiagnose, type SkillFact } from '../domain/diagnosis.js';

export class ErrorDiagnosis {
  readonly #component;
  readonly #skill;
  readonly #faqSkills;

  constructor(
    sqlite: Database.Database,
    readonly diagnoser: Diagnoser = rulesDiagnoser,
  ) {
    this.#component = sqlite.prepare<[number, string], ComponentFact>(
      'SELECT component_name, status, down_since, consecutive_failures, last_checked, message FROM ai_receptionist_system_health ' +
        'WHERE tenant_id = ? AND component_name = ?',
    );
    this.#skill = sqlite.prepare<[number, string], Omit<SkillFact, 'needs_retraining'> & { needs_retraining: number }>(
      'SELECT skill_name, skill_category, accuracy_score_7day, needs_retraining FROM ai_receptionist_skills WHERE tenant_id = ? AND skill_name = ?',
    );
    this.#faqSkills = sqlite
      .prepare<[number], string>(
        "SELECT skill_name FROM ai_receptionist_skills WHERE tenant_id = ? AND (skill_name LIKE '%faq%' OR skill_category = 'faq') ORDER BY usage_count DESC, skill_name",
      )
      .pluck();
  }

  /**
   * The root cause and fix an error is stored with: the sender's own where it gave them, the
   * diagnoser's for what it left out.
   */
  complete(
    tenant: TenantContext,
    error: ErrorToDiagnose & { root_cause?: string | null; recommended_fix?: string | null },
  ): { root_cause: string; recommended_fix: string } {
    if (error.root_cause && error.recommended_fix) return { root_cause: error.root_cause, recommended_fix: error.recommended_fix };
    const skill = error.skill_name ? this.#skill.get(tenant.id, error.skill_name) : undefined;
    const diagnosis = this.diagnoser.diagnose(
      { error_type: error.error_type, message_in: error.message_in, skill_name: error.skill_name, component: error.component, context: error.context },
      {
        timezone: tenant.timezone,
        component: (error.component && this.#component.get(tenant.id, error.component)) || null,
        skill: skill ? { ...skill, needs_retraining: skill.needs_retraining !== 0 } : null,
        faq_skills: this.#faqSkills.all(tenant.id),
      },
    );
    return { root_cause: error.root_cause || diagnosis.root_cause, recommended_fix: error.recommended_fix || diagnosis.recommended_fix };
  }
}
