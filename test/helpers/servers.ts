// Test-side entry point for the local redis-server / mosquitto helpers the demo also uses.
export { findFreePort, MissingBinaryError, startMosquitto, startRedisServer } from '../../demo/support/local-servers';
export type { MosquittoHandle, RedisServerHandle, RedisServerOptions } from '../../demo/support/local-servers';
