// Drives headless Chromium (Debian's chromium package, through playwright-core) for the browser test.
//
// Reads one JSON command per line on stdin, answers each with one JSON line on stdout carrying its
// "seq": {"seq":1,"ok":true,"value":...} or {"seq":1,"ok":false,"error":"..."}.
//   {"cmd":"open","id":"tab1","url":"http://127.0.0.1:8080/?topic=video:1"}   a new tab, after load
//   {"cmd":"fill","id":"tab1","selector":"#token","value":"hc1..."}
//   {"cmd":"click","id":"tab1","selector":"#login button"}
//   {"cmd":"waitFor","id":"tab1","js":"document.title !== ''","timeoutMs":10000}   a JS expression
//   {"cmd":"eval","id":"tab1","js":"document.getElementById('viewers').textContent"}
//   {"cmd":"screenshot","id":"tab1","path":"/abs/page.png"}
//   {"cmd":"close","id":"tab1"}
//   {"cmd":"problems"}   console errors, page errors and failed requests of every tab so far
//   {"cmd":"quit"}
// The browser path comes from CHROMIUM (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import readline from "node:readline";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // root in CI: no user namespaces for the sandbox; no GPU here
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
const pages = new Map();
const problems = [];

/**
 * The expression as a function: Playwright sends a function's source over the DevTools protocol,
 * where the page's Content-Security-Policy (no 'unsafe-eval') does not apply, while a string would
 * be evaluated by the page itself and refused.
 */
function expression(js) {
  return new Function(`return (${js});`);
}

function page(id) {
  const p = pages.get(id);
  if (!p) {
    throw new Error(`no tab ${id}`);
  }
  return p;
}

const commands = {
  async open({ id, url }) {
    const p = await context.newPage();
    p.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") {
        problems.push({ tab: id, kind: "console." + m.type(), text: m.text() });
      }
    });
    p.on("response", (r) => {
      if (r.status() >= 400) {
        problems.push({ tab: id, kind: `http.${r.status()}`, text: r.url() });
      }
    });
    p.on("pageerror", (e) => problems.push({ tab: id, kind: "pageerror", text: String(e) }));
    p.on("requestfailed", (r) => {
      // a socket cut by a killed node is expected; anything else is not
      if (!r.url().includes("/socket/websocket")) {
        problems.push({ tab: id, kind: "requestfailed", text: `${r.url()} ${r.failure() && r.failure().errorText}` });
      }
    });
    pages.set(id, p);
    await p.goto(url, { waitUntil: "load" });
    return null;
  },
  async fill({ id, selector, value }) {
    await page(id).fill(selector, value);
    return null;
  },
  async click({ id, selector }) {
    await page(id).click(selector);
    return null;
  },
  async waitFor({ id, js, timeoutMs }) {
    await page(id).waitForFunction(expression(js), null, { timeout: timeoutMs, polling: 50 });
    return null;
  },
  async eval({ id, js }) {
    return page(id).evaluate(expression(js));
  },
  async screenshot({ id, path }) {
    await page(id).screenshot({ path, fullPage: true });
    return path;
  },
  async close({ id }) {
    await page(id).close();
    pages.delete(id);
    return null;
  },
  async problems() {
    return problems;
  },
};

async function quit() {
  await browser.close();
  process.exit(0);
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  // one command at a time, in order: a later command may depend on an earlier one's effect
  queue = queue.then(async () => {
    const command = JSON.parse(line);
    if (command.cmd === "quit") {
      await quit();
    }
    try {
      const handler = commands[command.cmd];
      if (!handler) {
        throw new Error(`unknown command ${command.cmd}`);
      }
      const value = await handler(command);
      process.stdout.write(JSON.stringify({ seq: command.seq, ok: true, value }) + "\n");
    } catch (e) {
      process.stdout.write(JSON.stringify({ seq: command.seq, ok: false, error: String(e && e.message || e) }) + "\n");
    }
  });
});
lines.on("close", () => queue.then(quit));
process.stdout.write(JSON.stringify({ seq: 0, ok: true, value: "ready" }) + "\n");
