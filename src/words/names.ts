/**
 * The words of opsline: one pattern and one limit per word, shared by the command resolvers
 * (src/core/resolvers.ts), the agent protocol (src/protocol/) and the config schema (src/config/).
 * This module imports nothing, so every floor may import it (docs/architecture.md, "Words").
 * The agent's own config keeps its own checks: it is a separate trust domain and checks again.
 */

const IMAGE_BODY = '[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.iso';
const DRIVE_BODY = '[A-Za-z0-9][A-Za-z0-9_-]{0,31}';
// Agent names were SQL-identifier-like in the first config (`agents[].name`); kept so existing configs load.
const AGENT_BODY = '[A-Za-z_][A-Za-z0-9_$]{0,63}';

/** An image as docs/agent.md allows it: a plain file name ending in .iso, no path, nothing a shell would read. */
export const IMAGE_NAME = new RegExp(`^${IMAGE_BODY}$`);
export const IMAGE_MAX_LENGTH = 132;

/** A job id: the bot's queue makes them (`b7k2x9q`); kept to characters that are safe in logs and file names. */
export const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const JOB_ID_MAX_LENGTH = 128;

/** A drive as an agent's config names it. */
export const DRIVE_NAME = new RegExp(`^${DRIVE_BODY}$`);
export const DRIVE_NAME_MAX_LENGTH = 32;

/** A device agent as the bot's config names it (`agents[].name`). */
export const AGENT_NAME = new RegExp(`^${AGENT_BODY}$`);
export const AGENT_NAME_MAX_LENGTH = 64;

/** A drive as people name it: `dvd1`, or `burner1/dvd1` when several agents have one of that name. */
export const DRIVE_REF = new RegExp(`^(?:${AGENT_BODY}/)?${DRIVE_BODY}$`);
export const DRIVE_REF_MAX_LENGTH = AGENT_NAME_MAX_LENGTH + 1 + DRIVE_NAME_MAX_LENGTH;

/** A deploy target (`deploy.targets[].name`), and the agent command a command target runs. */
export const TARGET_NAME = new RegExp(`^${DRIVE_BODY}$`);
export const TARGET_NAME_MAX_LENGTH = 32;

/** A deploy command as an agent host's config names it (`agent.commands.<name>`), and a command target asks for it. */
export const AGENT_COMMAND = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const AGENT_COMMAND_MAX_LENGTH = 64;

/** A schedule or alert (`schedules[].name`, `alerts[].name`). */
export const SCHEDULE_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const SCHEDULE_NAME_MAX_LENGTH = 40;

/** The prefix put before every Slack command name (`slack.commandPrefix`, `opsline manifest slack --prefix`). */
export const COMMAND_PREFIX = /^[a-z0-9-]{0,10}$/;

/** A command or subcommand name (`/note`, `add`). */
const COMMAND_BODY = '[a-z][a-z0-9-]{0,31}';
export const COMMAND_NAME = new RegExp(`^${COMMAND_BODY}$`);
export const COMMAND_NAME_MAX_LENGTH = 32;
/** A command as a schedule writes it: `/status today`, a slash, a command name, then its arguments. */
export const COMMAND_LINE = new RegExp(`^/${COMMAND_BODY}(\\s.*)?$`);

/** Who someone is, never a display name: `slack:<team>:<user>`, `discord:<user id>`, `console:<os user>`. */
export const PRINCIPAL_KEY = /^(slack:[A-Z0-9]+:[A-Z0-9]+|discord:\d{5,25}|console:[^\s:]+|oidc:[A-Za-z0-9._@+|-]{1,128})$/;
export const PRINCIPAL_KEY_MAX_LENGTH = 140;
export const PRINCIPAL_KEY_HINT = 'slack:<team_id>:<user_id>, discord:<user_id>, console:<user> or oidc:<subject>';
/** What an OpenID Connect claim may hold to become a key `oidc:<value>` (docs/web.md, "OpenID Connect"). */
export const OIDC_SUBJECT = /^[A-Za-z0-9._@+|-]{1,128}$/;

/** A Discord id (a snowflake): users, guilds, roles, channels. */
export const SNOWFLAKE = /^\d{5,25}$/;

/** The code a held request shows (`/confirm K7P2QX`, `/approve K7P2QX`); codes are made upper-case, read either way. */
export const CONFIRM_CODE = /^[A-Za-z0-9]{6}$/;
export const CONFIRM_CODE_LENGTH = 6;

/**
 * The default for `deploy.targets[].refPattern` (checked by the bot) and `agent.commands.<name>.refPattern`
 * (checked again by the agent): a branch, tag or commit name. It refuses a leading `-` (the ref would be
 * read as an option: `-f`, `--force`), a leading `/` (an absolute path) and any `..` (a path out of the
 * checkout, or a git range). A configured pattern is used as given. See docs/deploy.md, "Refs".
 */
export const DEFAULT_REF_PATTERN = '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$';
/** The longest ref any target may be given, whatever its pattern allows. */
export const REF_MAX_LENGTH = 200;
