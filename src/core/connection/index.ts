// Connection lifecycle: backoff policy and the reconnect state machine.
export * from './backoff';
export * from './reconnect-machine';
