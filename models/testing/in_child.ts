/**
 * Jest defines a file's tests synchronously, before anything asynchronous (setting a backend up)
 * can run: a test file that must know at definition what this machine can run (to name the tests it
 * skips, and why) asks a child process, which answers synchronously.
 */
import { execFileSync } from 'child_process';

/**
 * The child's program: TypeScript loaded by transpiling each file (as ts-jest does for the tests),
 * then the named export of the file called and its result printed as JSON.
 */
const CHILD = `
const ts = require('typescript');
const fs = require('fs');
require.extensions['.ts'] = (module, file) => module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
}).outputText, file);
Promise.resolve(require(process.argv[1])[process.argv[2]]()).then((result) => {
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
});
`;

/** How long the child may take: setting up every backend takes seconds; a hung one fails the test file instead of stopping it. */
const CHILD_TIMEOUT_MS = 120_000;

/** What `name`, an exported function of the TypeScript file `file` taking no argument, returns (awaited), called in a child process. */
export function callInChild<T>(file: string, name: string): T {
  const output = execFileSync(process.execPath, ['-e', CHILD, file, name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: CHILD_TIMEOUT_MS,
  });
  return JSON.parse(output) as T;
}
