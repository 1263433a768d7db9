import { test } from "node:test";
import assert from "node:assert/strict";
import {
  presenceReducer, selectCounts, PRESENCE_STATE, PRESENCE_DIFF, PRESENCE_STALE, PRESENCE_UNBOUND,
} from "../src/presence.js";

const T = "video:42";
const counts = (viewers, users) => ({ viewers: { count: viewers }, users: { count: users } });
const state = (v, u) => ({ type: PRESENCE_STATE, topic: T, payload: counts(v, u) });
const diff = (joins, leaves) => ({ type: PRESENCE_DIFF, topic: T, payload: { joins, leaves } });
const run = (...actions) => actions.reduce(presenceReducer, undefined);

test("a state then diffs add up to joins minus leaves", () => {
  const s = run(state(340, 12), diff(counts(5, 1), counts(2, 0)), diff(counts(0, 0), counts(3, 13 - 1)));
  assert.deepEqual(selectCounts(s, T), { viewers: 340, users: 1, synced: true });
});

test("a new state replaces the counts, as after a rejoin", () => {
  const s = run(state(10, 2), diff(counts(1, 0), counts(0, 0)), state(3, 0));
  assert.deepEqual(selectCounts(s, T), { viewers: 3, users: 0, synced: true });
});

test("a key that is absent counts zero, as Phoenix omits keys with no presences", () => {
  const s = run({ type: PRESENCE_STATE, topic: T, payload: { viewers: { count: 4 } } },
    { type: PRESENCE_DIFF, topic: T, payload: { joins: { users: { count: 2 } } } });
  assert.deepEqual(selectCounts(s, T), { viewers: 4, users: 2, synced: true });
});

test("a diff before any state is not applied", () => {
  const s = run(diff(counts(1, 1), counts(0, 0)));
  assert.deepEqual(selectCounts(s, T), { viewers: 0, users: 0, synced: false });
  assert.deepEqual(selectCounts(presenceReducer(s, state(7, 0)), T), { viewers: 7, users: 0, synced: true });
});

test("after the channel errors, diffs wait for the rejoin's state and the last counts stay", () => {
  const s = run(state(5, 1), { type: PRESENCE_STALE, topic: T }, diff(counts(9, 9), counts(0, 0)));
  assert.deepEqual(selectCounts(s, T), { viewers: 5, users: 1, synced: false });
});

for (const [name, payload] of [
  ["a string count", { viewers: { count: "3" }, users: { count: 0 } }],
  ["a negative count", counts(-1, 0)],
  ["a fractional count", counts(1.5, 0)],
  ["a list of metas", { viewers: { metas: [{}] }, users: { count: 0 } }],
  ["an array", [1, 2]],
  ["null", null],
]) {
  test(`a state with ${name} is not counts: the topic goes unsynced`, () => {
    const s = run(state(2, 2), { type: PRESENCE_STATE, topic: T, payload });
    assert.deepEqual(selectCounts(s, T), { viewers: 2, users: 2, synced: false });
  });
}

test("a malformed diff, or one that would go negative, leaves the counts unsynced", () => {
  for (const bad of [diff("x", counts(0, 0)), diff(counts(0, 0), counts(3, 0)), { type: PRESENCE_DIFF, topic: T, payload: 7 }]) {
    const s = run(state(2, 0), bad);
    assert.deepEqual(selectCounts(s, T), { viewers: 2, users: 0, synced: false });
  }
});

test("topics are counted apart, and an unbound topic is forgotten", () => {
  let s = run(state(1, 0), { type: PRESENCE_STATE, topic: "video:7", payload: counts(0, 3) });
  assert.deepEqual(selectCounts(s, "video:7"), { viewers: 0, users: 3, synced: true });
  s = presenceReducer(s, { type: PRESENCE_UNBOUND, topic: T });
  assert.deepEqual(Object.keys(s), ["video:7"]);
});

test("other actions return the same state object, and no state is mutated", () => {
  const s = Object.freeze(run(state(1, 1)));
  Object.freeze(s[T]);
  assert.equal(presenceReducer(s, { type: "other" }), s);
  assert.equal(presenceReducer(s, { type: PRESENCE_UNBOUND, topic: "absent" }), s);
  assert.equal(presenceReducer(s, null), s);
  const next = presenceReducer(s, diff(counts(1, 0), counts(0, 0)));
  assert.notEqual(next, s);
  assert.equal(s[T].viewers, 1);
});

test("topics named like Object.prototype's properties are topics like any other", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    assert.deepEqual(selectCounts(presenceReducer(undefined, { type: PRESENCE_DIFF, topic: name, payload: {} }), name),
      { viewers: 0, users: 0, synced: false }, name);
    const s = presenceReducer(undefined, { type: PRESENCE_STATE, topic: name, payload: counts(2, 1) });
    assert.deepEqual(selectCounts(s, name), { viewers: 2, users: 1, synced: true }, name);
    assert.deepEqual(selectCounts(presenceReducer(s, { type: PRESENCE_UNBOUND, topic: name }), name),
      { viewers: 0, users: 0, synced: false }, name);
  }
  assert.equal(Object.prototype.viewers, undefined, "nothing leaked into Object.prototype");
});

test("sums beyond exact integer arithmetic are not shown as synced", () => {
  const max = Number.MAX_SAFE_INTEGER;
  let s = run(state(4, 0), diff(counts(max, 0), counts(max - 3, 0)));
  assert.deepEqual(selectCounts(s, T), { viewers: 7, users: 0, synced: true }, "the net change is taken first, exactly");
  s = run(state(max, 0), diff(counts(1, 0), counts(0, 0)));
  assert.deepEqual(selectCounts(s, T), { viewers: max, users: 0, synced: false });
});

test("a payload whose properties throw is not counts, and the reducer does not throw", () => {
  const hostile = { get viewers() { throw new Error("boom"); } };
  const s = run(state(1, 1), { type: PRESENCE_STATE, topic: T, payload: hostile });
  assert.deepEqual(selectCounts(s, T), { viewers: 1, users: 1, synced: false });
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.equal(selectCounts(run(state(1, 1), diff(revoked.proxy, counts(0, 0))), T).synced, false);
});
