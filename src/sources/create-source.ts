// Maps a connection profile to the Source that speaks its system over its transport.
//
// The sources and their client libraries (ioredis, bullmq v5 and v6, ws, mqtt — megabytes of code) live in
// source-catalog.ts, which is required here only when the first profile is added, never at activation: the
// extension must activate in ≤ 50 ms (bench/activation.ts). esbuild builds the catalogue as its own bundle,
// dist/sources.js, and rewrites this require to it (esbuild.mjs); under tsx it is the TypeScript module.
/* eslint-disable @typescript-eslint/no-require-imports */
import type { ConnectionProfile } from '../core/config/connection-profile';
import type { Source } from '../core/source/source';
import type * as SourceCatalog from './source-catalog';
import { UnsupportedSource } from './unsupported-source';

export type SourceFactory = (profile: ConnectionProfile) => Source;

export const createSource: SourceFactory = (profile) => {
  const catalog = require('./source-catalog') as typeof SourceCatalog;
  return catalog.createKnownSource(profile) ?? new UnsupportedSource(profile);
};
