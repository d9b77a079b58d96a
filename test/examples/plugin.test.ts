// Runs the example's own tap tests (examples/ is outside tap's include pattern).
import '../../examples/plugin.test.js';
