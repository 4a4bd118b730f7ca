// Just enough of a Dockerfile and .dockerignore reader for the checks a machine without a
// Docker engine can make: which stages there are, what each COPY takes from where, and
// which paths the build context leaves out.

export interface DockerCopy {
  /** The stage (or image) of --from, else undefined: the build context. */
  from: string | undefined;
  sources: string[];
  dest: string;
}

export interface DockerStage {
  name: string;
  image: string;
  copies: DockerCopy[];
  runs: string[];
  user: string | undefined;
  healthcheck: string | undefined;
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
}

function execForm(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as string[];
  return ['/bin/sh', '-c', trimmed];
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: DockerStage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args[a ?? b ?? ''] ?? '');
  for (const line of lines) {
    const [instruction = '', ...restParts] = line.split(/\s+/);
    const rest = line.slice(instruction.length).trim();
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'ARG': {
        const [name = '', value = ''] = rest.split('=');
        if (!stage) args[name] = value;
        break;
      }
      case 'FROM': {
        const [image = '', as, name] = restParts;
        stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), image: expand(image), copies: [], runs: [], user: undefined, healthcheck: undefined, entrypoint: undefined, cmd: undefined });
        break;
      }
      case 'COPY': {
        if (!stage) throw new Error(`COPY before FROM: ${line}`);
        const words = restParts.filter((w) => !w.startsWith('--'));
        const from = restParts.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        stage.copies.push({ from, sources: words.slice(0, -1), dest: words.at(-1) ?? '' });
        break;
      }
      case 'RUN':
        stage?.runs.push(rest);
        break;
      case 'USER':
        if (stage) stage.user = rest;
        break;
      case 'HEALTHCHECK':
        if (stage) stage.healthcheck = rest;
        break;
      case 'ENTRYPOINT':
        if (stage) stage.entrypoint = execForm(rest);
        break;
      case 'CMD':
        if (stage) stage.cmd = execForm(rest);
        break;
      default:
        break;
    }
  }
  return { args, stages };
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
}

/**
 * A .dockerignore as a predicate on paths relative to the context: `*`, `?`, `**` and `!`
 * exceptions, the last matching line deciding, and a directory's exclusion covering its contents.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const segments = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '').split('/');
      const body = segments.map((seg, i) => (seg === '**' ? (i === segments.length - 1 ? '.*' : '(?:.*/)?') : escape(seg) + (i === segments.length - 1 ? '' : '/'))).join('');
      return { negate, re: new RegExp(`^${body}(?:/.*)?$`) };
    });
  return (path) => {
    if (path === '' || path === '.') return false;
    return rules.reduce((excluded, rule) => (rule.re.test(path) ? !rule.negate : excluded), false);
  };
}
