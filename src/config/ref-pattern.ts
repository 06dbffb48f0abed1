/**
 * The default for `deploy.targets[].refPattern` (checked by the bot) and `agent.commands.<name>.refPattern`
 * (checked again by the agent): a branch, tag or commit name. It refuses a leading `-` (the ref would be
 * read as an option: `-f`, `--force`), a leading `/` (an absolute path) and any `..` (a path out of the
 * checkout, or a git range). A configured pattern is used as given. See docs/deploy.md, "Refs".
 */
export const DEFAULT_REF_PATTERN = '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$';
