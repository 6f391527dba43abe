// The model's public surface.
export * from './connection';
export * from './entities';
export * from './events';
export * from './keys';
export * from './task-detail';
