// The fuzz test fails with what schemathesis reported; these reports are real ones of the pinned
// version (test/fuzz/fixtures: a run whose fuzzing phase hit a Runtime Error, and one whose
// stateful phase found a failed check), trimmed of a source file quoted whole.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemsReported, reportSections } from './schemathesis-output.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe("schemathesis's report", () => {
  it('a Runtime Error: the ERRORS section with the operation, the error and its traceback, long lines cut', () => {
    const problems = problemsReported(fixture('runtime-error-report.txt'));
    expect(problems).toMatch(/^==== ERRORS ====\n_+ POST \/scim\/v2\/Groups _+\nRuntime Error\n/);
    expect(problems).toContain('AST constructor recursion depth mismatch (before=183, after=128)');
    expect(problems).toContain('SystemError: AST constructor recursion depth mismatch');
    expect(problems).toMatch(/KeyError: \('from __future__ import annotations\\n'.*… \(\d+ more characters\)/);
    expect(Math.max(...problems.split('\n').map((l) => l.length))).toBeLessThan(2_100);
    // Neither the warnings nor the summary: only what went wrong.
    expect(problems).not.toContain('WARNINGS');
    expect(problems).not.toContain('Test cases:');
  });

  it('a failed check: the FAILURES section with the check, the response and the whole curl line', () => {
    const problems = problemsReported(fixture('failure-report.txt'));
    expect(problems).toMatch(/^==== FAILURES ====\n_+ Stateful tests _+\n1\. Test Case ID: aRsYXi\n+- ST201 Schema-violating request accepted/);
    expect(problems).toContain('[207] Multi-Status:');
    // Whole, though longer than a traceback line may be.
    expect(problems).toMatch(/curl -X POST .* http:\/\/127\.0\.0\.1:\d+\/v1\/notifications\/batch\n+ {4}st replay aRsYXi$/);
  });

  it('a clean run reports nothing, though it has warnings and a summary', () => {
    const clean = fixture('runtime-error-report.txt').replace(/^=+ ERRORS =+$[\s\S]*?(?=^=+ WARNINGS =+$)/m, '');
    expect([...reportSections(clean).keys()]).toEqual(['WARNINGS', 'SUMMARY']);
    expect(problemsReported(clean)).toBe('');
  });
});
