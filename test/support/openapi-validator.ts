import { execFileSync } from 'node:child_process';

/**
 * Validates a document against the OpenAPI 3 schema with swagger-parser. It runs in a plain
 * Node process because its dependencies are ES modules, which Node 20 loads and Jest does not.
 * Resolves to the validator's error message, or null when the document is valid.
 */
export function openApiErrors(document: unknown): string | null {
  const script = `
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk));
    process.stdin.on('end', () =>
      require('@apidevtools/swagger-parser')
        .validate(JSON.parse(input))
        .then(() => process.stdout.write('valid'), (error) => process.stdout.write(error.message)));`;
  const output = execFileSync(process.execPath, ['-e', script], {
    input: JSON.stringify(document),
    cwd: __dirname,
    encoding: 'utf8',
  });
  return output === 'valid' ? null : output;
}
