import type { ConvergeParts } from '../shared/converge';
import { createLayerStep } from '../shared/layer-step';

/** Stops one layer of the key's registered resources, remembering in the ledger how to restore each. */
export const createStopHandler = (parts: ConvergeParts) => createLayerStep(parts, 'stopped');
