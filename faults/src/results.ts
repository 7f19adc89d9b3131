import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from './report';

/** Writes a scenario's row where the runner collects them (one JSON file per scenario). */
export function writeScenarioResult(resultsDir: string, result: ScenarioResult): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${result.index}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`fault scenario ${result.index} (${result.scenario}): ${JSON.stringify(result)}`);
}
