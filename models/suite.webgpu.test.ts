/** The shared model suite (models/testing/model_suite.ts) on the webgpu backend. */
import { describeModelSuite } from './testing/model_suite';

describeModelSuite('webgpu');
