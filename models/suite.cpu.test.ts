/** The shared model suite (models/testing/model_suite.ts) on the cpu backend. */
import { describeModelSuite } from './testing/model_suite';

describeModelSuite('cpu');
