export * from './series-math';
export * from './units';
export * from './derived-metrics';
