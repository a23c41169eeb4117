/** The shared model suite (models/testing/model_suite.ts) on the wasm backend. */
import { describeModelSuite } from './testing/model_suite';

describeModelSuite('wasm');
