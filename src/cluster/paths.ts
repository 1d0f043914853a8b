/**
 * Where a cluster's files live on disk. Two clusters may share a name when
 * they live in different Redis databases, so every directory is keyed by the
 * Redis target as well as the cluster name: their controllers never collect
 * each other's end records.
 */
import { join } from 'node:path';
import type { RedisTarget } from '../client/resp.js';
import { fnv1a } from './conf-cache.js';
import { stateDir } from '../state-dir.js';
import { redisLabel, redisTarget, type Env } from '../store/connect.js';

/** The target as one directory name (credentials left out: two users of one database share its files). */
export function redisSlug(target: RedisTarget, own = false): string {
  const db = target.db ?? 0;
  if (own) return `own-db${db}`;
  if (target.path) return `unix-${fnv1a(target.path)}-db${db}`;
  return `${target.host ?? '127.0.0.1'}-${target.port ?? 6379}-db${db}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export interface ClusterPaths {
  /** the cluster's directory: state dir / clusters / Redis target / cluster name */
  dir: string;
  /** scripts of running jobs and their end records (src/providers/local) */
  spool: string;
  /** the daemon controller's log */
  log: string;
  /** the pid of the controller running from this directory */
  pid: string;
  /** the Redis target, as a user reads it */
  redis: string;
}

export function clusterPaths(env: Env, clusterName: string): ClusterPaths {
  const { target, own } = redisTarget(env);
  const dir = join(stateDir(env), 'clusters', redisSlug(target, own), clusterName);
  return { dir, spool: join(dir, 'spool'), log: join(dir, 'controller.log'), pid: join(dir, 'controller.pid'), redis: redisLabel(target, own) };
}
