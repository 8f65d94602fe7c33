import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { FieldIssue } from '@app/domain';
import { RequestValidationError } from './validation';

const MAX_DEPTH = 64;

/**
 * U+0000 is refused in every string a client sends (body, query, path), with the field it stands
 * in: PostgreSQL's text cannot hold it, and no governance record needs it. Every other character
 * is stored and returned as sent.
 */
@Injectable()
export class NoNulPipe implements PipeTransform {
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
    if (value.includes('\u0000')) issues.push({ field, message: `${field || 'value'} must not contain the character U+0000` });
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  for (const [key, child] of Object.entries(value)) {
    const path = field === '' ? key : `${field}.${key}`;
    if (key.includes('\u0000')) issues.push({ field: path, message: 'a field name must not contain the character U+0000' });
    collect(child, path, issues, depth + 1);
  }
}
