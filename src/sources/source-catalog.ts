// The catalogue of sources: which Source class speaks a profile's system over its transport. It imports every
// source and so every client library (ioredis, bullmq, ws, mqtt); create-source.ts loads it only when the
// first profile connects. esbuild builds it as its own bundle (dist/sources.js), kept out of activation.
import type { ConnectionProfile } from '../core/config/connection-profile';
import type { Source } from '../core/source/source';
import { BullmqSource } from './redis/bullmq';
import { NexusRedisSource } from './redis/nexus';
import { PynencSource } from './redis/pynenc';
import { RhailibSource } from './redis/rhailib';
import { GenericRedisSource } from './redis/generic-pubsub';
import { GenericMqttSource } from './mqtt/generic';
import { PropellerSource } from './mqtt/propeller';
import { PrometheusSource } from './prometheus/scrape';
import { LogFileSource } from './logfile/tail';
import { MahavishnuSource } from './websocket/mahavishnu';
import { NexusWsSource } from './websocket/nexus-ws';
import { GenericWsSource } from './websocket/generic';

/** The Source for this profile, or undefined when no system speaks it over that transport. */
export function createKnownSource(profile: ConnectionProfile): Source | undefined {
  const { kind, system } = profile;
  if (kind === 'redis' && system === 'bullmq') return new BullmqSource(profile);
  if (kind === 'redis' && system === 'rhailib') return new RhailibSource(profile);
  if (kind === 'redis' && (system === 'pynenc' || system === 'rustvello')) return new PynencSource(profile);
  if (kind === 'redis' && system === 'nexus') return new NexusRedisSource(profile);
  if (kind === 'redis' && system === 'generic') return new GenericRedisSource(profile);
  if (kind === 'mqtt' && system === 'propeller') return new PropellerSource(profile);
  if (kind === 'mqtt' && system === 'generic') return new GenericMqttSource(profile);
  if (kind === 'prometheus') return new PrometheusSource(profile);
  if (kind === 'logfile') return new LogFileSource(profile);
  if (kind === 'websocket' && system === 'mahavishnu') return new MahavishnuSource(profile);
  if (kind === 'websocket' && system === 'nexus') return new NexusWsSource(profile);
  if (kind === 'websocket' && system === 'generic') return new GenericWsSource(profile);
  return undefined;
}
