/**
 * Where Slack posts events and slash commands, under the public base URL of `opsline start`. Its own
 * file so the manifest (`opsline manifest`) can name it without loading Bolt through the receiver.
 */
export const EVENTS_PATH = '/slack/events';
