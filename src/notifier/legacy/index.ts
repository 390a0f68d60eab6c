export * from './instance-info.js';
export * from './python-format.js';
export * from './twins.js';
export * from './exception.js';
