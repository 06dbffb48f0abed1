import { runAgent } from '../../src/cli/agent.js';

// Entry of the agent child process used by the restart test: `opsline agent --config <argv[2]>`.
process.exitCode = await runAgent(process.argv[2]);
