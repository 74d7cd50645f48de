// Drives the OpenSubsonic API with the npm package subsonic-api, one call per line of stdin.
//
// argv[2]: {"url", "apiKey", "post", "modules"}. Each stdin line: {"method", "args", "headers"};
// each stdout line: the method's subsonic-response, or for a file {"status", "headers", "base64"}.
// "modules" is the node_modules folder the test run installed the package into (ES modules do
// not read NODE_PATH).
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const options = JSON.parse(process.argv[2]);
const { SubsonicAPI } = await import(pathToFileURL(join(options.modules, "subsonic-api", "lib", "index.js")).href);
let extraHeaders = {};
const api = new SubsonicAPI({
  url: options.url,
  auth: { apiKey: options.apiKey },
  post: Boolean(options.post),
  // A Range (or any other header) for the next call only, as a player asks for part of a file.
  fetch: (url, init = {}) => fetch(url, { ...init, headers: { ...(init.headers || {}), ...extraHeaders } }),
});
const FILES = new Set(["stream", "download", "getCoverArt"]);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { method, args, headers } = JSON.parse(line);
  extraHeaders = headers || {};
  let answer;
  try {
    const result = await api[method](args || {});
    if (FILES.has(method)) {
      const body = Buffer.from(await result.arrayBuffer());
      answer = { status: result.status, headers: Object.fromEntries(result.headers), base64: body.toString("base64") };
    } else {
      answer = result;
    }
  } catch (error) {
    answer = { thrown: String(error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
