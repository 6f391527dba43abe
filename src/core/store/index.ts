// The store's public surface.
export * from './change-set';
export * from './monitor-store';
export * from './ring-buffer';
