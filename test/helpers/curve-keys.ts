import * as zmq from 'zeromq';

/**
 * A CURVE key pair (Z85) that can be written into a config as it is. Z85 has `$`, `{` and `}` in its alphabet, so
 * a random key now and then holds `${name}`, which the config reads as an environment variable
 * (docs/configuration.md); a deployment keeps its keys in files (`opsline keys`), where nothing is substituted.
 */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  for (;;) {
    const pair = zmq.curveKeyPair();
    if (!`${pair.publicKey}${pair.secretKey}`.includes('${')) return pair;
  }
}
