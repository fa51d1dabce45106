/**
 * The project's own templates (tiers/): the one import of tiers/ outside the templates themselves,
 * so everything else (lib/synth, lib/adopt, the commands) is handed templates and stays testable
 * with others.
 */
export { templates as projectTemplates } from '../../tiers/index.ts';
