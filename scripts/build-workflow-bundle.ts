// Pre-builds the workflow bundle (dist/workflow-bundle.js) that the compiled worker loads at
// start; `npm run build` runs this after tsc.
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';

const path = await writeWorkflowBundle(process.argv[2]);
process.stdout.write(`workflow bundle written to ${path}\n`);
