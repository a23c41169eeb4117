/** The shared training suite (models/testing/training_suite.ts) on the wasm backend. */
import { describeTrainingSuite } from './testing/training_suite';

describeTrainingSuite('wasm');
