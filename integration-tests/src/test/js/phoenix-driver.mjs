// Drives real phoenix.js sockets for the integration tests.
//
// Reads one JSON command per line on stdin; writes one JSON event per line on stdout.
//   {"cmd":"open","id":"s1","url":"ws://127.0.0.1:4001/socket","token":"..."}   token may be null/absent
//   {"cmd":"join","id":"s1","topic":"video:42"}
//   {"cmd":"leave","id":"s1","topic":"video:42"}
//   {"cmd":"close","id":"s1"}
//   {"cmd":"quit"}
// Events: open, close (code), join (status), counts (after every presence_state / presence_diff),
// channel_error (reason, e.g. heartbeat_timeout), error.
// Counts are reduced exactly as the CaptainFact front end does: a state sets them, a diff adds
// joins and subtracts leaves, reading all four numbers without any check.
import { Socket } from "phoenix";
import WebSocket from "ws";
import readline from "node:readline";

const sockets = new Map();
const channels = new Map();

function now() {
  return performance.timeOrigin + performance.now();
}

function emit(event) {
  process.stdout.write(JSON.stringify({ ...event, t: now() }) + "\n");
}

function open({ id, url, token, options }) {
  const params = token === undefined || token === null ? {} : { token };
  const socket = new Socket(url, { transport: WebSocket, params, ...(options || {}) });
  socket.onOpen(() => emit({ ev: "open", id }));
  socket.onClose((e) => emit({ ev: "close", id, code: e && e.code }));
  socket.onError(() => emit({ ev: "socket_error", id }));
  socket.connect();
  sockets.set(id, socket);
}

function join({ id, topic }) {
  const socket = sockets.get(id);
  const channel = socket.channel(topic, {});
  const counts = { viewers: { count: 0 }, users: { count: 0 } };
  const report = (kind) =>
    emit({ ev: "counts", id, topic, kind, viewers: counts.viewers.count, users: counts.users.count });
  channel.on("presence_state", (state) => {
    Object.assign(counts, state); // the front end's SET: merge the keys present
    report("state");
  });
  channel.on("presence_diff", (diff) => {
    counts.viewers.count += diff.joins.viewers.count - diff.leaves.viewers.count;
    counts.users.count += diff.joins.users.count - diff.leaves.users.count;
    report("diff");
  });
  channel.onError((reason) =>
    emit({ ev: "channel_error", id, topic, reason: typeof reason === "string" ? reason : (reason && reason.type) || "" }));
  channel
    .join()
    .receive("ok", () => emit({ ev: "join", id, topic, status: "ok" }))
    .receive("error", (r) => emit({ ev: "join", id, topic, status: "error", reason: r && r.reason }))
    .receive("timeout", () => emit({ ev: "join", id, topic, status: "timeout" }));
  channels.set(id + " " + topic, channel);
}

function leave({ id, topic }) {
  const channel = channels.get(id + " " + topic);
  if (channel) {
    channel.leave().receive("ok", () => emit({ ev: "left", id, topic }));
    channels.delete(id + " " + topic);
  }
}

function close({ id }) {
  const socket = sockets.get(id);
  if (socket) {
    socket.disconnect(() => emit({ ev: "disconnected", id }));
    sockets.delete(id);
  }
}

const handlers = { open, join, leave, close };

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  let command;
  try {
    command = JSON.parse(line);
  } catch (e) {
    emit({ ev: "error", message: "bad command: " + line });
    return;
  }
  if (command.cmd === "quit") {
    for (const s of sockets.values()) s.disconnect();
    process.exit(0);
  }
  const handler = handlers[command.cmd];
  if (!handler) {
    emit({ ev: "error", message: "unknown command " + command.cmd });
    return;
  }
  try {
    handler(command);
  } catch (e) {
    emit({ ev: "error", id: command.id, message: String(e && e.stack || e) });
  }
});

// the driver dies with its parent: stdin closing means the test is over
process.stdin.on("end", () => process.exit(0));
process.on("uncaughtException", (e) => emit({ ev: "error", message: String(e && e.stack || e) }));
emit({ ev: "ready" });
