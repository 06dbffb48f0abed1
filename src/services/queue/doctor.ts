import { connectRedis, describeRedis } from '../../redis/connect.js';
import type { Config } from '../../config/schema.js';
import { CheckFailure, type Check } from '../../doctor/types.js';

/** Redis answers PING, and says whether it keeps data across a restart (queued jobs depend on it). */
export function redisChecks(config: Config): Check[] {
  const redis = config.redis;
  if (!redis) return [];
  const where = describeRedis(redis);
  return [
    {
      name: 'redis',
      target: where,
      silentFix: 'is Redis running there, and may this host reach its port (firewall, bind address)?',
      async run() {
        const r = connectRedis(redis, { role: 'doctor', profile: 'probe', lazy: true, once: true });
        let last: Error | undefined;
        r.on('error', (err: Error) => (last = err));
        try {
          await r.connect().catch((err: unknown) => {
            throw last ?? err;
          });
          await r.ping();
          const aof = (await r.config('GET', 'appendonly').catch(() => [])) as string[];
          const persistence = aof[1] === 'yes' ? 'appendonly on' : 'appendonly off: queued jobs are lost if Redis restarts (docs/burn.md)';
          if (!redis.sentinels?.length) return `${where} answers; ${persistence}`;
          // Through Sentinel: which server is the primary now, and whether a replica would take over.
          const info = await r.info('replication');
          const replicas = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
          const primary = `${r.stream.remoteAddress ?? '?'}:${r.stream.remotePort ?? '?'}`;
          if (replicas === 0) throw new CheckFailure(`primary ${primary} answers but has no replica: a failover has nothing to promote`);
          return `${where}: primary ${primary} answers with ${replicas} replica${replicas === 1 ? '' : 's'}; ${persistence}`;
        } finally {
          r.disconnect();
        }
      },
    },
  ];
}
