// Writes the generated test models to test/.generated/ once per test run (C++ benches use the
// files too), so that tests can open them by path as well as by bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allModels } from './fixtures/models.js';

import { kGeneratedDir } from './helpers/paths.js';

export default function setup(): void {
  mkdirSync(kGeneratedDir, { recursive: true });
  for (const [name, build] of Object.entries(allModels())) writeFileSync(join(kGeneratedDir, `${name}.onnx`), build());
}
