// tap coverage map: coverage is measured over the library's sources only (src/**/*.ts), whatever a
// test runs — compiled copies (dist/ through source maps counts as src; bench/out does not), bench
// harnesses and examples are not what the floor is about.
import fg from 'fast-glob';

const sources = fg.sync('src/**/*.ts', { ignore: ['**/*.d.ts'] }).sort();

export default function coverageMap() {
  return sources;
}
