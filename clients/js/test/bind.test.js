import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "phoenix";
import { configureStore } from "@reduxjs/toolkit";
import { bindPresence, presenceReducer, selectCounts } from "../src/presence.js";

const counts = (viewers, users) => ({ viewers: { count: viewers }, users: { count: users } });

/** A WebSocket stand-in: the test plays the server, frame by frame, in the Phoenix v2 array form. */
class FakeWebSocket {
  static last = null;
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeWebSocket.last = this;
  }
  open() {
    this.readyState = 1;
    this.onopen();
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose({ code, wasClean: code === 1000 });
  }
  push(joinRef, topic, event, payload, ref = null) {
    this.onmessage({ data: JSON.stringify([joinRef, ref, topic, event, payload]) });
  }
  /** Answers the channel's latest phx_join with ok; returns its join ref. */
  acceptJoin(topic) {
    const join = this.sent.filter(([, , t, e]) => t === topic && e === "phx_join").at(-1);
    assert.ok(join, "the client sent a phx_join");
    const [joinRef, ref] = join;
    this.push(joinRef, topic, "phx_reply", { status: "ok", response: {} }, ref);
    return joinRef;
  }
}

function connectedSocket() {
  const socket = new Socket("ws://headcount.test/socket", {
    transport: FakeWebSocket, heartbeatIntervalMs: 3_600_000, reconnectAfterMs: () => 3_600_000, rejoinAfterMs: () => 1,
  });
  socket.connect();
  FakeWebSocket.last.open();
  return socket;
}

/** A socket and a joined channel of `topic` bound to `dispatch`, the join accepted: its join ref. */
function joinedChannel(topic, dispatch) {
  const socket = connectedSocket();
  const channel = socket.channel(topic);
  bindPresence(channel, dispatch);
  channel.join();
  return { socket, ws: FakeWebSocket.last, joinRef: FakeWebSocket.last.acceptJoin(topic) };
}

test("with the real phoenix client and a Redux store, the counts follow state and diffs exactly", (t) => {
  // Redux Toolkit as the README sets it up; its development checks report non-serializable
  // actions or state, and mutations, through console.error
  const errors = t.mock.method(console, "error");
  const store = configureStore({ reducer: { presence: presenceReducer } });
  const { socket, ws, joinRef } = joinedChannel("video:42", store.dispatch);
  // as Headcount sends them: the state to this join, the diffs broadcast (join_ref null)
  ws.push(joinRef, "video:42", "presence_state", counts(340, 12));
  ws.push(null, "video:42", "presence_diff", { joins: counts(3, 1), leaves: counts(1, 0) });
  ws.push(null, "video:42", "presence_diff", { joins: counts(0, 0), leaves: counts(2, 1) });
  assert.deepEqual(selectCounts(store.getState().presence, "video:42"), { viewers: 340, users: 12, synced: true });
  ws.push(null, "video:7", "presence_diff", { joins: counts(9, 9), leaves: counts(0, 0) });
  assert.deepEqual(Object.keys(store.getState().presence), ["video:42"], "another topic's push is not this channel's");
  socket.disconnect();
  assert.equal(errors.mock.callCount(), 0, "Redux Toolkit's checks found nothing");
});

test("a dropped connection marks the counts stale until the rejoin's state", async () => {
  const store = configureStore({ reducer: presenceReducer });
  const joined = joinedChannel("video:7", store.dispatch);
  const { socket } = joined;
  let { ws, joinRef } = joined;
  ws.push(joinRef, "video:7", "presence_state", counts(2, 1));
  ws.close(1012);
  assert.deepEqual(selectCounts(store.getState(), "video:7"), { viewers: 2, users: 1, synced: false });
  ws.push(null, "video:7", "presence_diff", { joins: counts(5, 0), leaves: counts(0, 0) }); // a straggler
  assert.deepEqual(selectCounts(store.getState(), "video:7"), { viewers: 2, users: 1, synced: false });
  socket.connect();
  FakeWebSocket.last.open();
  ws = FakeWebSocket.last;
  await waitFor(() => ws.sent.some(([, , t, e]) => t === "video:7" && e === "phx_join"));
  joinRef = ws.acceptJoin("video:7");
  ws.push(joinRef, "video:7", "presence_state", counts(1, 1));
  assert.deepEqual(selectCounts(store.getState(), "video:7"), { viewers: 1, users: 1, synced: true });
  socket.disconnect();
});

test("unbind removes every handler it added and forgets the topic", () => {
  const handlers = [];
  const channel = {
    topic: "video:1",
    on(event, callback) {
      handlers.push({ event, callback, ref: handlers.length });
      return handlers.length - 1;
    },
    off(event, ref) {
      const i = handlers.findIndex((h) => h.event === event && h.ref === ref);
      assert.ok(i >= 0, `off(${event}, ${ref}) matches a binding`);
      handlers.splice(i, 1);
    },
  };
  const actions = [];
  const unbind = bindPresence(channel, (a) => actions.push(a));
  assert.deepEqual(handlers.map((h) => h.event).sort(), ["phx_close", "phx_error", "presence_diff", "presence_state"]);
  handlers.find((h) => h.event === "presence_state").callback(counts(1, 0));
  assert.deepEqual(actions, [{ type: "headcount/presence_state", topic: "video:1", payload: counts(1, 0) }]);
  unbind();
  unbind();
  assert.equal(handlers.length, 0);
  assert.deepEqual(actions.at(-1), { type: "headcount/presence_unbound", topic: "video:1" });
  assert.equal(actions.length, 2);
});

test("unbind with forget: false keeps the last counts, unsynced, until a new channel's state", () => {
  const store = configureStore({ reducer: presenceReducer });
  const channel = { topic: "video:2", bindings: [], on(e, cb) { this.bindings.push([e, cb]); return this.bindings.length; }, off() {} };
  const unbind = bindPresence(channel, store.dispatch);
  channel.bindings.find(([e]) => e === "presence_state")[1](counts(4, 2));
  unbind({ forget: false });
  assert.deepEqual(selectCounts(store.getState(), "video:2"), { viewers: 4, users: 2, synced: false });
});

async function waitFor(condition, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error("condition not met within " + timeoutMs + " ms");
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
