// Paths of the handler modules the pool tests run (test/fixtures/handlers/), and the context
// every call passes.
import { join } from 'node:path';

export const handler = (file: string): string => join(import.meta.dirname, '..', 'fixtures', 'handlers', file);

export const kContext = { model: 'test-model', version: '3' };
