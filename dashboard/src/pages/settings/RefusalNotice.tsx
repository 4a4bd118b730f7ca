import { ApiError } from '../../api/http';
import { ErrorNotice } from '../../components/ErrorNotice';

interface FieldProblem {
  path: string;
  message: string;
}

function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.filter((d): d is FieldProblem => typeof d === 'object' && d !== null && typeof (d as FieldProblem).path === 'string' && typeof (d as FieldProblem).message === 'string');
}

/** The server's refusal, and under it each field it names with its reason (a 400's details). */
export function RefusalNotice({ error }: { error: unknown }) {
  const problems = fieldProblems(error);
  return (
    <>
      <ErrorNotice error={error} />
      {problems.length > 0 && (
        <ul className="notice error" data-testid="field-problems">
          {problems.map((p) => (
            <li key={`${p.path}:${p.message}`} data-field={p.path}>
              <code>{p.path}</code>: {p.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
