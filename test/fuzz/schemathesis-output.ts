// What a schemathesis run (4.x console report) says went wrong, for the fuzz test to fail with:
// its ERRORS section (schemathesis itself failed, e.g. a "Runtime Error" with its traceback)
// and its FAILURES section (each failed check, with the curl line that reproduces it).
// Sections open with a line such as `==== FAILURES ====` and run to the next such line.
const SECTION_HEADER = /^=+ ([A-Z]+) =+$/;
const PROBLEM_SECTIONS = ['ERRORS', 'FAILURES'] as const;
// A traceback can quote a whole source file on one line; the line's start says enough. Failures
// stay whole: their curl line is the reproduction, however long.
const LONGEST_TRACEBACK_LINE = 2_000;

/** Each section of the report by name (`ERRORS`, `FAILURES`, `WARNINGS`, `SUMMARY`), its lines after the header. */
export function reportSections(output: string): Map<string, string> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const name = SECTION_HEADER.exec(line.trim())?.[1];
    if (name) sections.set(name, (current = []));
    else current?.push(line);
  }
  return new Map([...sections].map(([name, lines]) => [name, lines.join('\n').trim()]));
}

/** The ERRORS and FAILURES sections with their headers ('' when the report has neither). */
export function problemsReported(output: string): string {
  const sections = reportSections(output);
  return PROBLEM_SECTIONS.flatMap((name) => {
    const body = sections.get(name);
    if (body === undefined) return [];
    return [`==== ${name} ====\n${name === 'ERRORS' ? body.split('\n').map(shorten).join('\n') : body}`];
  }).join('\n\n');
}

function shorten(line: string): string {
  return line.length <= LONGEST_TRACEBACK_LINE ? line : `${line.slice(0, LONGEST_TRACEBACK_LINE)}… (${line.length - LONGEST_TRACEBACK_LINE} more characters)`;
}
