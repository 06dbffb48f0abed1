import hello from './hello.js';
import dice from './dice.js';
import remember from './remember.js';

// What `plugins:` loads: the module's default export, a command or a list of them.
export default [hello, dice, remember];
