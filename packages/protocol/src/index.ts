export * from './common.js';
export * from './errors.js';
export * from './events.js';
export * from './limits.js';
export * from './media.js';
export * from './rest.js';
export * from './view.js';
export * from './ws.js';
