/**
 * The `vane` command's entry point.
 */
import { tensorTour } from './tensor-tour';

const [command = 'demo'] = process.argv.slice(2);
if (command === 'demo') {
  tensorTour();
} else {
  console.error(`vane: unknown command '${command}' (valid: demo)`);
  process.exit(2);
}
