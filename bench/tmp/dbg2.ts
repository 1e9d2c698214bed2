import { createTestApp } from '../../api/test/harness.js';
