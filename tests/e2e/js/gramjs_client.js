// A GramJS client pointed at our server through the library's own hooks: the session's
// setDC names our address, and our RSA key goes into its key table (crypto/RSA
// _serverKeys) at run time; the package is not edited. Signs up or in with `code`.
// `dc` is the DC the session starts at (2, GramJS's own default, unless told otherwise):
// every DC id is our server, and GramJS finds the others in help.getConfig.
const fs = require("fs");
const crypto = require("crypto");
const bigInt = require("big-integer");
const { TelegramClient } = require("telegram");
const { StringSession } = require("telegram/sessions");
const RSA = require("telegram/crypto/RSA");
const { Logger } = require("telegram/extensions");
const { ConnectionTCPFull, ConnectionTCPObfuscated } = require("telegram/network");
const { PromisedWebSockets } = require("telegram/extensions");

// E2E_TRANSPORT=websocket: what GramJS does in browsers, obfuscated2 inside
// ws://HOST:80/apiws (the "websocket" package stands in for the browser's WebSocket).
const transport = process.env.E2E_TRANSPORT === "websocket"
  ? { connection: ConnectionTCPObfuscated, networkSocket: PromisedWebSockets }
  : { connection: ConnectionTCPFull };

function tlBytes(buf) {
  const head = buf.length < 254 ? Buffer.from([buf.length]) : Buffer.from([254, buf.length & 255, (buf.length >> 8) & 255, buf.length >> 16]);
  const body = Buffer.concat([head, buf]);
  return Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}

function addServerKey(pemFile) {
  const key = crypto.createPublicKey(fs.readFileSync(pemFile, "utf8")).export({ format: "jwk" });
  const n = Buffer.from(key.n, "base64url");
  const e = Buffer.from(key.e, "base64url");
  const digest = crypto.createHash("sha1").update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
  const fingerprint = digest.readBigInt64LE(12);
  RSA._serverKeys.set(fingerprint.toString(), { n: bigInt(n.toString("hex"), 16), e: parseInt(e.toString("hex"), 16) });
}

async function connectedClient(host, port, pemFile, phone, code, dc = 2) {
  addServerKey(pemFile);
  const session = new StringSession("");
  session.setDC(Number(dc), host, Number(port));
  // GRAMJS_LOG=debug (environment) shows the library's own log when a test needs it.
  // Three attempts, not one: GramJS makes its auth key from g_ab's minimal bytes
  // (Helpers.getByteArray in network/Authenticator.js), so when g_ab's top byte is zero
  // (1 key in 256) its key is 255 bytes and it rejects our dh_gen_ok ("Step 3 invalid
  // new nonce hash"); a new attempt makes a new key. Any real fault fails all three.
  const client = new TelegramClient(session, 1, "0".repeat(32), {
    connectionRetries: 3, baseLogger: new Logger(process.env.GRAMJS_LOG || "error"), useWSS: false, ...transport,
  });
  await client.start({
    phoneNumber: async () => phone,
    phoneCode: async () => code,
    firstAndLastNames: async () => ["Gram", "JS"],
    password: async () => "",
    onError: (err) => { throw err; },
  });
  return client;
}

module.exports = { connectedClient };
