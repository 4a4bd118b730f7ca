// What every generator of a committed file shares: `--out path` writes elsewhere, `--check`
// writes nothing and fails when the file is not what the generator makes now (CI runs it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface GeneratedFile {
  path: string;
  render: () => string;
  /** Where the file comes from, for the failure message, e.g. `the configuration schema (common/config.ts)`. */
  source: string;
  /** The npm script that regenerates it. */
  script: string;
  /** Said when `--check` finds it current. */
  current: string;
}

export function writeOrCheck(file: GeneratedFile): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, check: { type: 'boolean', default: false } } });
  const target = values.out ?? file.path;
  const text = file.render();
  if (values.check) {
    if (!existsSync(target) || readFileSync(target, 'utf8') !== text) {
      console.error(`${target} is out of date with ${file.source}\nrun \`npm run ${file.script}\` and commit the result`);
      process.exit(1);
    }
    console.log(file.current);
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
