// Core: the pure model shared by the extension, the CLI and the webviews.
export * from './model';
export * from './store';
export * from './connection';
export * from './config/connection-profile';
export * from './source/source';
