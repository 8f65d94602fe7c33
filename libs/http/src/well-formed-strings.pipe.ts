import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { FieldIssue } from '@app/domain';
import { RequestValidationError } from './validation';

const MAX_DEPTH = 64;

/**
 * Two things are refused in every string a client sends (body, query, path, field names), with the
 * field they stand in: U+0000 (PostgreSQL's text cannot hold it, and no governance record needs
 * it), and a lone surrogate (half of a UTF-16 pair: not text at all, and UTF-8, which every store
 * here writes, has no way to hold it). Every other character, control, zero-width and
 * right-to-left ones included, is stored and returned as sent.
 */
@Injectable()
export class WellFormedStringsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const issues: FieldIssue[] = [];
    collect(value, metadata.type === 'param' ? (metadata.data ?? '') : '', issues, 0);
    if (issues.length > 0) throw new RequestValidationError(issues);
    return value;
  }
}

function collect(value: unknown, field: string, issues: FieldIssue[], depth: number): void {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) issues.push({ field, message: `${field || 'value'} ${problem}` });
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  for (const [key, child] of Object.entries(value)) {
    const path = field === '' ? key : `${field}.${key}`;
    const problem = textProblem(key);
    if (problem) issues.push({ field: path, message: `a field name ${problem}` });
    collect(child, path, issues, depth + 1);
  }
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the character U+0000';
  if (!text.isWellFormed()) return 'must be well-formed Unicode text (it holds a lone surrogate)';
  return undefined;
}
