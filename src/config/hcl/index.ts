/** consul-template's HCL (and JSON) config files, read into ctmpl's key names with positions. */
export { parseHclText, readHclConfig, readHclConfigDir, readHclConfigPath, readHclConfigPaths, type HclDataFile } from './read.js';
export { CONSUL_TEMPLATE_KEYS, unknownKeyHint, type KeyRule } from './consul-template-keys.js';
export { PENDING_CTMPL_KEYS } from './ctmpl-keys.js';
export type { HclReadOptions, HclWarning } from './warning.js';
