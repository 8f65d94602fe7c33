/** The values an intelligence requirement's fields take (API.md, Values) and the checks on them. */
import type { Rag } from '../recommendation/recommendation.values';
import { type Check, check } from '../validation';

/** A requirement's RAG is typed in by the bureau, never derived: so never `grey` (API.md, Values). */
export const REQUIREMENT_RAGS = ['red', 'amber', 'green'] as const satisfies readonly Rag[];
export type RequirementRag = (typeof REQUIREMENT_RAGS)[number];

/**
 * The most questions one version may ask. API.md is silent; a requirement is a short list an LPA
 * can brief from, and 100 is well past any the bureau writes while still bounding the event.
 */
export const MAX_REQUIREMENT_QUESTIONS = 100;


/**
 * A non-empty list of at most `MAX_REQUIREMENT_QUESTIONS` non-blank questions. A question asked
 * twice in one version is refused too: it would be tasked, and answered, twice.
 */
export function checkQuestions(value: unknown): Check[] {
  if (!Array.isArray(value)) return [{ field: 'questions', message: 'must be a list of questions' }];
  const questions: readonly unknown[] = value;
  if (questions.length === 0) return [{ field: 'questions', message: 'must ask at least one question' }];
  if (questions.length > MAX_REQUIREMENT_QUESTIONS) {
    return [{ field: 'questions', message: `must ask at most ${MAX_REQUIREMENT_QUESTIONS} questions` }];
  }
  return questions.map((question, index) => {
    const field = `questions[${index}]`;
    const blank = check.text(field, question);
    if (blank) return blank;
    const first = questions.findIndex((asked) => typeof asked === 'string' && asked.trim() === (question as string).trim());
    return first < index ? { field, message: `repeats questions[${first}]` } : undefined;
  });
}
