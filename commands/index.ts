import access from './access.js';
import approve from './approve.js';
import audit from './audit.js';
import burn from './burn.js';
import confirm from './confirm.js';
import deploy from './deploy.js';
import drives from './drives.js';
import eject from './eject.js';
import help from './help.js';
import images from './images.js';
import jobs from './jobs.js';
import note from './note.js';
import schedule from './schedule.js';
import status from './status.js';
import whoami from './whoami.js';

/**
 * Every command the bot knows, listed explicitly; the registry refuses duplicates at startup. Each
 * keeps the type of the ports it uses, so the composition root's registry checks its bag has them.
 */
export const commands = [help, whoami, status, note, burn, images, drives, eject, deploy, confirm, approve, access, jobs, audit, schedule] as const;
