import { test } from "node:test";
import assert from "node:assert/strict";
import { presenceReducer, selectCounts, PRESENCE_STATE, PRESENCE_DIFF, PRESENCE_STALE } from "../src/presence.js";

/** A seeded generator (mulberry32), so that a failing schedule replays from its printed seed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const counts = (v, u) => ({ viewers: { count: v }, users: { count: u } });

/**
 * A model server: people join and leave; it coalesces changes into diffs as Headcount does (joins
 * and leaves in one diff, pushed at random moments), and the channel sometimes drops and rejoins
 * (stale, then a fresh state). After every push the reducer must show exactly the model's counts.
 */
test("1,000 random schedules of joins, leaves, coalesced diffs and rejoins stay exact", () => {
  for (let seed = 1; seed <= 1000; seed++) {
    const rnd = random(seed);
    const topic = "video:" + seed;
    let live = { viewers: 0, users: 0 };
    let pending = { jv: 0, ju: 0, lv: 0, lu: 0 };
    let s = presenceReducer(undefined, { type: PRESENCE_STATE, topic, payload: counts(0, 0) });
    for (let step = 0; step < 200; step++) {
      const r = rnd();
      if (r < 0.35) {
        const kind = rnd() < 0.7 ? "viewers" : "users";
        live[kind]++;
        pending[kind === "viewers" ? "jv" : "ju"]++;
      } else if (r < 0.65) {
        const kind = rnd() < 0.7 ? "viewers" : "users";
        if (live[kind] > 0) {
          live[kind]--;
          pending[kind === "viewers" ? "lv" : "lu"]++;
        }
      } else if (r < 0.95) {
        const payload = { joins: counts(pending.jv, pending.ju), leaves: counts(pending.lv, pending.lu) };
        s = presenceReducer(s, { type: PRESENCE_DIFF, topic, payload });
        pending = { jv: 0, ju: 0, lv: 0, lu: 0 };
        assert.deepEqual(selectCounts(s, topic), { ...live, synced: true }, `seed ${seed}, step ${step}`);
      } else {
        // the socket drops: pending diffs are lost with it; the rejoin gets the current state
        s = presenceReducer(s, { type: PRESENCE_STALE, topic });
        s = presenceReducer(s, { type: PRESENCE_DIFF, topic, payload: { joins: counts(1, 1), leaves: counts(0, 0) } });
        pending = { jv: 0, ju: 0, lv: 0, lu: 0 };
        s = presenceReducer(s, { type: PRESENCE_STATE, topic, payload: counts(live.viewers, live.users) });
        assert.deepEqual(selectCounts(s, topic), { ...live, synced: true }, `seed ${seed}, step ${step}`);
      }
    }
  }
});
