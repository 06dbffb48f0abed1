import type { CommandDef } from '../src/core/define-command.js';
import audit from './audit.js';
import help from './help.js';
import note from './note.js';
import status from './status.js';
import whoami from './whoami.js';

/** Every command the bot knows, listed explicitly; the registry refuses duplicates at startup. */
export const commands: readonly CommandDef[] = [help, whoami, status, note, audit];
