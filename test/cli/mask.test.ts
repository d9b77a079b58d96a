// What the CLI shows of a server URL: never its user info, whatever form the user typed it in.
import t from 'tap';
import { urlWithoutUserinfo } from '../../src/cli/mask.js';

t.test('user info is removed from every form of server URL', async (t) => {
  const cases: Array<[string, string]> = [
    ['https://user:pw@tableau.example.com/', 'https://tableau.example.com/'],
    ['http://user:pw@127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    // A bare host parses as a URL whose scheme is `user:`: it must still lose `user:pw@`.
    ['user:pw@127.0.0.1', '127.0.0.1'],
    ['user:pw@10az.online.tableau.com/path', '10az.online.tableau.com/path'],
    // A URL that does not parse keeps its scheme and loses its user info.
    ['http://user:pw@bad host', 'http://bad host'],
    ['https://tableau.example.com', 'https://tableau.example.com'],
    ['10az.online.tableau.com', '10az.online.tableau.com'],
  ];
  for (const [given, shown] of cases) {
    t.equal(urlWithoutUserinfo(given), shown, given);
    t.notMatch(urlWithoutUserinfo(given), /pw/, `${given}: no password`);
  }
});
