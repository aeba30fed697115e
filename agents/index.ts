/** Agent scripts: jobs built on the runtime (`thors-hammer/agents`). Re-exports only. */
export * from './bulk/index.js';
export * from './automations/index.js';
