// An app's PIN sign-in with @ctrl/plex, as its README describes it:
// getWebLogin() creates the pin at https://plex.tv, the user approves at
// the returned https://app.plex.tv/auth#?… address, and webLoginCheck()
// polls https://plex.tv until the token comes and then loads the account.
// The library is imported from $CTRL_PLEX (a file URL of its entry point)
// and used as shipped. Line protocol on stdout, for the Go test: the pin,
// then (after a line on stdin: "approved") the signed-in account.
import { once } from 'node:events';

const { MyPlexAccount } = await import(process.env.CTRL_PLEX);
const login = await MyPlexAccount.getWebLogin();
console.log(JSON.stringify({ id: login.id, code: login.code, uri: login.uri }));
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
const account = await MyPlexAccount.webLoginCheck(login, 30);
console.log(JSON.stringify({ username: account.username, email: account.email, uuid: account.uuid, token: account.authenticationToken }));
process.exit(0);
