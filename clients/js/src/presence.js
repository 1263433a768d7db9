/**
 * Exact viewers/users counts of Headcount topics, from the `presence_state` / `presence_diff`
 * pushes of a phoenix Channel, as a Redux-style reducer and a helper that feeds it.
 *
 * Headcount sends counts, never who is present:
 *   presence_state  {"viewers":{"count":V},"users":{"count":U}}
 *   presence_diff   {"joins":{...same shape...},"leaves":{...same shape...}}
 * The phoenix `Presence` helper expects `{key: {metas: [...]}}` and breaks on these, so this module
 * does the arithmetic itself: a state replaces the counts, each later diff adds joins - leaves.
 *
 * Counts are exact only between a state and the diffs that follow it on the same join, so the
 * counts of a topic carry `synced`: false until the first state, again false when the channel errors
 * or closes (its diffs stop, the last counts stay for display), true again with the state of the
 * rejoin. A diff that arrives unsynced, or a payload that is not counts, is not applied: guessing
 * would show a wrong number for as long as the page stays open.
 */

export const PRESENCE_STATE = "headcount/presence_state";
export const PRESENCE_DIFF = "headcount/presence_diff";
export const PRESENCE_STALE = "headcount/presence_stale";
export const PRESENCE_UNBOUND = "headcount/presence_unbound";

const NO_COUNTS = Object.freeze({ viewers: 0, users: 0, synced: false });

/**
 * The reducer: state is `{[topic]: {viewers, users, synced}}`. Pure; returns the same state object
 * for actions it does not handle, as Redux expects.
 */
export function presenceReducer(state = {}, action) {
  if (action === null || typeof action !== "object" || typeof action.topic !== "string") {
    return state;
  }
  const { topic } = action;
  const current = own(state, topic);
  switch (action.type) {
    case PRESENCE_STATE: {
      const counts = readCounts(action.payload);
      return counts ? { ...state, [topic]: { ...counts, synced: true } } : stale(state, topic);
    }
    case PRESENCE_DIFF: {
      if (!current || !current.synced) {
        return state; // not based on any state we hold: the rejoin's state will bring it
      }
      const joins = readPart(action.payload, "joins");
      const leaves = readPart(action.payload, "leaves");
      if (!joins || !leaves) {
        return stale(state, topic);
      }
      // the net change first: it is exact, and a sum past 2^53 then shows as unsafe below
      const viewers = current.viewers + (joins.viewers - leaves.viewers);
      const users = current.users + (joins.users - leaves.users);
      if (viewers < 0 || users < 0) {
        return stale(state, topic); // a diff this state does not contain: we missed something
      }
      if (!Number.isSafeInteger(viewers) || !Number.isSafeInteger(users)) {
        return stale(state, topic); // beyond exact arithmetic in a double
      }
      return { ...state, [topic]: { viewers, users, synced: true } };
    }
    case PRESENCE_STALE:
      return stale(state, topic);
    case PRESENCE_UNBOUND: {
      if (!own(state, topic)) {
        return state;
      }
      const { [topic]: _gone, ...rest } = state;
      return rest;
    }
    default:
      return state;
  }
}

/** The counts of `topic` in the reducer's state: `{viewers, users, synced}`, zeros until known. */
export function selectCounts(state, topic) {
  return own(state, topic) || NO_COUNTS;
}

/**
 * Dispatches the channel's presence pushes, and its errors and closes, as actions for
 * {@link presenceReducer}. Call it before `channel.join()`, so that the first state is not missed.
 * Returns `unbind()`, which removes the handlers and drops the topic from the state; with
 * `{forget: false}` it keeps the last counts instead, unsynced, for a page that is about to bind a
 * new channel of the same topic (a new socket after logging in, say).
 */
export function bindPresence(channel, dispatch) {
  const topic = channel.topic;
  const bindings = [
    ["presence_state", (payload) => dispatch({ type: PRESENCE_STATE, topic, payload })],
    ["presence_diff", (payload) => dispatch({ type: PRESENCE_DIFF, topic, payload })],
    ["phx_error", () => dispatch({ type: PRESENCE_STALE, topic })],
    ["phx_close", () => dispatch({ type: PRESENCE_STALE, topic })],
  ].map(([event, callback]) => [event, channel.on(event, callback)]);
  let bound = true;
  return function unbind({ forget = true } = {}) {
    if (!bound) {
      return;
    }
    bound = false;
    for (const [event, ref] of bindings) {
      channel.off(event, ref);
    }
    dispatch({ type: forget ? PRESENCE_UNBOUND : PRESENCE_STALE, topic });
  };
}

/** The topic's entry, never one inherited from Object.prototype (a topic may be called "constructor"). */
function own(state, topic) {
  return state !== null && typeof state === "object" && Object.hasOwn(state, topic) ? state[topic] : undefined;
}

function stale(state, topic) {
  const current = own(state, topic);
  if (current && !current.synced) {
    return state;
  }
  return { ...state, [topic]: { ...(current || NO_COUNTS), synced: false } };
}

/** `{viewers, users}` from a counts payload, a key that is absent counting 0; null if it is not counts. */
function readCounts(payload) {
  try {
    if (!isObject(payload)) {
      return null;
    }
    const viewers = readCount(payload.viewers);
    const users = readCount(payload.users);
    return viewers === null || users === null ? null : { viewers, users };
  } catch {
    return null; // not JSON from a socket (a getter that throws, a revoked proxy): not counts either
  }
}

/** The `joins` or `leaves` counts of a diff, an absent one counting 0; null if the diff is not one. */
function readPart(diff, key) {
  try {
    return isObject(diff) ? readCounts(diff[key] === undefined ? {} : diff[key]) : null;
  } catch {
    return null;
  }
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function readCount(entry) {
  if (entry === undefined) {
    return 0;
  }
  if (entry === null || typeof entry !== "object") {
    return null;
  }
  const n = entry.count;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
