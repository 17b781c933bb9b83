// `@playbook/parser/prototype`: converting runbooks of the Python prototype (`playbook import`). A subpath of its
// own, so that the commands that only read runbooks of this format (validate, run…) never load it.

export { importPrototypeFile } from './import-file.js';
export type { ImportNote } from './import-notes.js';
export { formatImportNote } from './import-notes.js';
export type { ImportResult } from './import-runbook.js';
export { importPrototypeRunbook } from './import-runbook.js';
export { HELPER_MAPPING } from './jinja-to-cel.js';
export { PLUGIN_MAPPING } from './plugins.js';
