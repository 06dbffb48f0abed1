import type { AuditPort, ClockPort, GrantsPort, NotesPort, StatusPort } from '../core/ports.js';
import type { PluginPortsPort } from '../core/plugin-ports.js';
import type { RelayPort } from '../relay/entry.js';
import type { SchedulesPort } from '../schedules/setup.js';
import type { BurnsPort } from '../services/burns.js';
import type { DeploysPort } from '../services/deploy/service.js';
import type { StatusSnapshotsPort } from '../services/types.js';
import type { WebPort } from '../services/web/index.js';
import type { JobLogPort } from '../services/job-log/types.js';

/**
 * Everything a command may use, built once in the composition root (src/app/main.ts): every port a
 * command can name. A feature whose config section is absent leaves its service undefined, and its
 * commands say so. Only the composition root and the adapters above it see this whole bag.
 */
export interface Services extends StatusPort, NotesPort, AuditPort, ClockPort, GrantsPort, BurnsPort, DeploysPort, SchedulesPort, RelayPort, StatusSnapshotsPort, WebPort, JobLogPort, PluginPortsPort {}
