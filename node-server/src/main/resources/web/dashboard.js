// The cluster dashboard: polls the node's own JSON endpoints (/api/cluster, /api/stats) once a
// second and draws them. Behind a load balancer each poll may be answered by another node; any
// answer will do, as every node sees the whole cluster and gives its rates over the last seconds.
import uPlot from "/assets/vendor/uplot/uPlot.esm.js";

const POLL_MS = 1000;
const WINDOW_S = 120;
const $ = (id) => document.getElementById(id);

const history = { t: [], joins: [], leaves: [], p50: [], p99: [] };

const charts = {
  changes: chart($("changes-chart"), [
    { label: "joins/s", stroke: "#2f7d32", width: 2 },
    { label: "leaves/s", stroke: "#c62828", width: 2, dash: [6, 4] }, // dashed: joins show through when equal
  ]),
  convergence: chart($("convergence-chart"), [
    { label: "p50 ms", stroke: "#1565c0", width: 2 },
    { label: "p99 ms", stroke: "#ef6c00", width: 2 },
  ]),
};

function chart(element, series) {
  return new uPlot({
    width: Math.max(element.clientWidth, 320),
    height: 180,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    series: [{}, ...series],
    axes: [{ space: 90, incrs: [1, 2, 5, 10, 15, 30, 60], values: (u, ticks) => ticks.map(clock) }, { size: 50 }],
  }, [[], ...series.map(() => [])], element);
}

async function getJson(path) {
  // a node that hangs (SIGSTOP) must not stop the polling: give up after 3 s, poll again
  const response = await fetch(path, { cache: "no-store", signal: AbortSignal.timeout(3000) });
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

async function poll() {
  try {
    const [cluster, stats] = await Promise.all([getJson("/api/cluster"), getJson("/api/stats")]);
    renderCluster(cluster);
    renderTopics(stats.topics);
    record(stats, cluster);
    const answered = cluster.self === stats.self ? cluster.self : `${cluster.self} and ${stats.self}`;
    $("status").textContent = `Answered by ${answered} at ${new Date().toLocaleTimeString("en-GB")}.`
      + (cluster.incompatibility ? ` Not in the cluster: ${cluster.incompatibility}` : "");
    $("status").dataset.ok = "true";
  } catch (e) {
    $("status").textContent = `No answer (${e.message}); retrying.`;
    $("status").dataset.ok = "false";
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

function renderCluster(cluster) {
  const body = $("nodes").tBodies[0];
  body.replaceChildren(...cluster.replicas.map((r) => row([
    r.replica, badge(r.status), number(r.connections),
    r.status === "down" ? `${number(r.presences)} hidden` : number(r.presences),
  ], r.status)));
  const counted = cluster.replicas.filter((r) => r.status !== "down");
  $("members-count").textContent = String(cluster.members.length);
  $("connections-total").textContent = number(sum(counted, "connections"));
  $("presences-total").textContent = number(sum(counted, "presences"));
  $("members").textContent = `JGroups view: ${cluster.members.join(", ")}. Peers' connections are as of their`
    + " last heartbeat (at most 2 s old); a down replica's presences are hidden and not added up.";
}

function renderTopics(topics) {
  const body = $("topics").tBodies[0];
  if (topics.length === 0) {
    body.replaceChildren(row(["Nobody is watching anything.", "", ""]));
    return;
  }
  body.replaceChildren(...topics.map((t) => {
    const link = document.createElement("a");
    link.href = "/?" + new URLSearchParams({ topic: t.topic });
    link.textContent = t.topic;
    return row([link, number(t.viewers), number(t.users)]);
  }));
}

function record(stats, cluster) {
  const c = stats.convergence;
  $("convergence-p99").textContent = c.p99Ms === null ? "–" : `${c.p99Ms.toFixed(1)} ms`;
  $("convergence-note").textContent = cluster.members.length < 2
    ? "A cluster of one: no other node's changes to merge, so nothing to show."
    : c.p99Ms === null ? "No change came from another node in the last 5 s." : "";
  push(Date.now() / 1000, stats.changes.joinsPerSecond, stats.changes.leavesPerSecond, c.p50Ms, c.p99Ms);
}

function push(t, joins, leaves, p50, p99) {
  history.t.push(t);
  history.joins.push(joins);
  history.leaves.push(leaves);
  history.p50.push(p50);
  history.p99.push(p99);
  while (history.t.length && history.t[0] < t - WINDOW_S) {
    Object.values(history).forEach((s) => s.shift());
  }
  charts.changes.setData([history.t, history.joins, history.leaves]);
  charts.convergence.setData([history.t, history.p50, history.p99]);
  $("changes-chart").dataset.points = $("convergence-chart").dataset.points = String(history.t.length);
}

function row(cells, state) {
  const tr = document.createElement("tr");
  if (state) {
    tr.dataset.state = state;
  }
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) {
      td.append(cell);
    } else {
      td.textContent = cell;
    }
    if (/^([\d,]+|–|[\d,]+ hidden)$/.test(td.textContent)) {
      td.className = "num";
    }
    tr.append(td);
  }
  return tr;
}

function badge(status) {
  const span = document.createElement("span");
  span.className = `badge ${status}`;
  span.textContent = status;
  return span;
}

const number = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en"));
const clock = (seconds) => new Date(seconds * 1000).toLocaleTimeString("en-GB");
const sum = (rows, key) => rows.reduce((total, r) => total + (r[key] || 0), 0);

window.addEventListener("resize", () => {
  for (const [id, c] of [["changes-chart", charts.changes], ["convergence-chart", charts.convergence]]) {
    c.setSize({ width: Math.max($(id).clientWidth, 320), height: 180 });
  }
});

poll();
