// The demo page: one phoenix Socket back to the host that served the page (a node, or the load
// balancer in front of the nodes), one channel on the topic in the address, its counts kept by the
// front-end binding of clients/js.
import { Socket } from "/assets/vendor/phoenix/phoenix.mjs";
import { bindPresence, presenceReducer, selectCounts } from "/assets/lib/presence.js";

const TOKEN_KEY = "headcount.token"; // per tab: each tab can be someone else
const REFUSED_AFTER = 3; // failed attempts with a new token, none open, before the page gives up
const topic = new URLSearchParams(location.search).get("topic") || "video:demo";
const $ = (id) => document.getElementById(id);

let counts = presenceReducer(undefined, {});
let connection = null;
let countedAs = null;
let refusal = null;
let joins = 0;
let opens = 0;
let failures = 0; // failed connection attempts in a row
let tokenRefused = false;

function dispatch(action) {
  counts = presenceReducer(counts, action);
  render();
}

function connect() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const socket = new Socket("/socket", { params: token ? { token } : {} });
  const channel = socket.channel(topic);
  const unbind = bindPresence(channel, dispatch);
  socket.onOpen(() => {
    opens += 1;
    failures = 0;
    const again = opens === 1 ? "" : opens === 2 ? " (reconnected once)" : ` (reconnected ${opens - 1} times)`;
    status(`Connected to ${location.host}${again}.`);
  });
  socket.onError(() => {
    failures += 1;
    if (token && opens === 0 && failures >= REFUSED_AFTER) {
      // never connected with this token, and the browser does not say why: the server refused the
      // upgrade (--refuse-invalid-tokens, or a token too long for a request line). Retrying is futile.
      tokenRefused = true;
      unbind({ forget: false });
      socket.disconnect();
      status("The server does not accept connections with this token.");
      renderIdentity();
      return;
    }
    status("Connection lost, reconnecting…");
  });
  channel.join()
    .receive("ok", (reply) => {
      countedAs = reply && reply.counted_as;
      refusal = null;
      $("status").dataset.joins = String(++joins); // rejoins after a lost connection count too
      renderIdentity();
    })
    .receive("error", (reply) => {
      // a refusal is final (phoenix would retry the join for ever): stop, and say why
      refusal = (reply && reply.reason) || "refused";
      unbind();
      socket.disconnect();
      status(`The server refused this topic: ${refusal}.`);
      renderIdentity();
    });
  socket.connect();
  connection = { socket, channel, unbind };
}

function reconnect() {
  if (connection) {
    connection.unbind({ forget: false }); // the last counts stay, greyed, until the new socket's state
    connection.channel.leave();
    connection.socket.disconnect();
  }
  countedAs = null;
  opens = 0; // a new socket on purpose, not a reconnection
  failures = 0;
  tokenRefused = false;
  connect();
}

function render() {
  const known = Object.hasOwn(counts, topic); // before the first state there is nothing to show
  const { viewers, users, synced } = selectCounts(counts, topic);
  $("viewers").textContent = known ? viewers.toLocaleString("en") : "–";
  $("users").textContent = known ? users.toLocaleString("en") : "–";
  $("viewers-label").textContent = viewers === 1 ? "viewer" : "viewers";
  $("users-label").textContent = users === 1 ? "user" : "users";
  $("watching").dataset.synced = String(synced);
}

function status(text) {
  $("status").textContent = text;
}

/** Who the token says you are; whether it counts is the server's answer to the join. */
function tokenSubject(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub || null;
  } catch {
    return null;
  }
}

function renderIdentity() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const loggedIn = token !== null;
  $("login").hidden = loggedIn;
  $("logout").hidden = !loggedIn;
  $("identity").dataset.countedAs = countedAs || "";
  if (refusal) {
    $("identity").textContent = "You are not counted: the server refused this topic.";
  } else if (tokenRefused) {
    $("identity").textContent = "You are not counted: the server refused to connect with this token "
      + "(invalid or expired while it refuses such tokens, or too long). Log out to watch as a viewer.";
  } else if (!loggedIn) {
    $("identity").textContent = "You are watching anonymously, counted as a viewer.";
  } else if (countedAs === "user") {
    $("identity").textContent = `Logged in as ${tokenSubject(token) || "a user"}, counted as a user.`;
  } else if (countedAs === "viewer") {
    $("identity").textContent = "The server did not accept this token (expired, or signed with another secret): "
      + "you are counted as a viewer.";
  } else {
    $("identity").textContent = "Logging in…";
  }
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = $("token").value.trim();
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    reconnect();
    renderIdentity();
  }
});

$("logout").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  reconnect();
  renderIdentity();
});

$("topic-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const next = $("topic").value.trim();
  if (next && next !== topic) {
    location.search = new URLSearchParams({ topic: next }).toString();
  }
});

$("title").textContent = topic;
$("topic").value = topic;
document.title = `${topic} · Headcount`;
render();
renderIdentity();
connect();
