// Pre-builds the workflow bundle (dist/workflow-bundle.js) that workers load at start;
// production images run this at build time.
import { writeWorkflowBundle } from '../workers/workflow-bundle.js';

const path = await writeWorkflowBundle(process.argv[2]);
process.stdout.write(`workflow bundle written to ${path}\n`);
