// mtcute (@mtcute/node 0.30.3, layer 227), unmodified, against our server: log in an
// existing account (mtcute refuses to sign up), get me and the config.
// Usage: node mtcute_login.mjs HOST PORT PUBKEY_PEM_FILE PHONE CODE [START_DC]
import { loggedInClient } from "./mtcute_client.mjs";

const [host, port, pemFile, phone, code, dc = "2"] = process.argv.slice(2);
const client = await loggedInClient(host, port, pemFile, phone, code, Number(dc));
const me = await client.getMe();
const config = await client.call({ _: "help.getConfig" });
const state = await client.call({ _: "updates.getState" });
console.log(JSON.stringify({ id: me.id, first_name: me.firstName, this_dc: config.thisDc, pts: state.pts }));
await client.destroy?.();
process.exit(0);
