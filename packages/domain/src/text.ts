// `@playbook/domain/text`: the domain's text helpers alone, for code that shows things to people — a CLI's
// start-up, a Graphviz label — without loading the runbook schemas.
export { editDistance, suggestKey } from './did-you-mean.js';
export { formatDuration } from './format-duration.js';
export { formatIdentity } from './format-identity.js';
