import type { ConvergeParts } from '../shared/converge';
import { createLayerStep } from '../shared/layer-step';

/** Starts one layer of the resources the reactor stopped, as the ledger remembers them. */
export const createStartHandler = (parts: ConvergeParts) => createLayerStep(parts, 'running');
