package io.headcount.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.headcount.node.auth.TokenService;
import io.headcount.tracker.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's acceptance: the demo page and the dashboard in headless Chromium, through the load
 * balancer of a 3-node local cluster (the README's main job). Tabs join, one logs in, one leaves, and
 * the node holding the most tabs is SIGKILLed; every tab must show the exact counts each time, and
 * the dashboard the cluster as it is. Screenshots of both pages go to {@code target/screenshots}.
 */
class DemoPageBrowserIT {

    static final String SECRET = "demo-page-it-secret-0123456789";
    static final String TOPIC = "video:browser";
    static final Duration CONVERGE = Duration.ofSeconds(10);
    static final Path SCREENSHOTS = Path.of(System.getProperty("headcount.screenshots.dir", "target/screenshots"));

    final Path work = ItEnvironment.workDir("demo-page");
    final Cleanup cleanup = new Cleanup();

    @AfterEach
    void cleanUp() {
        cleanup.closeAll();
    }

    @Test
    void tabsThroughTheLoadBalancerShowExactCountsAsTabsComeGoLogInAndANodeDies() throws Exception {
        LocalClusterScript cluster = LocalClusterScript.start(3, work.resolve("cluster"), Map.of("HEADCOUNT_SECRET", SECRET));
        cleanup.add(cluster);
        BrowserDriver browser = new BrowserDriver(work);
        cleanup.add(browser);
        String lb = cluster.loadBalancerUrl();
        Files.createDirectories(SCREENSHOTS);

        // The dashboard first, so that its chart sees the joins and leaves that follow.
        browser.open("dashboard", lb + "/dashboard");
        browser.waitFor("dashboard", "document.querySelectorAll('#nodes tbody tr').length === 3", CONVERGE,
                "three nodes on the dashboard");

        // A topic the server refuses: the page stops and says so (the reply names the topic in full,
        // or the client could not match it and would retry for ever).
        browser.open("refused", lb + "/?topic=video:" + "x".repeat(300));
        browser.waitFor("refused", "document.getElementById('status').textContent.includes('refused this topic: invalid topic')"
                + " && document.getElementById('identity').textContent.includes('not counted')", CONVERGE, "the refusal");
        browser.close("refused");

        // A token the upgrade itself fails on (too long for a request line: 414): the browser only sees
        // failed connections, so the page gives up after a few and says so, instead of retrying for ever.
        browser.open("bad-token", lb + "/?topic=" + TOPIC);
        browser.fill("bad-token", "#token", "hc1." + "x".repeat(5000));
        browser.click("bad-token", "#login button");
        browser.waitFor("bad-token", "document.getElementById('identity').textContent.includes('refused to connect')"
                + " && document.getElementById('logout').hidden === false", CONVERGE, "the token refusal");
        browser.close("bad-token");

        // Four tabs on the topic, each counting itself among the viewers.
        List<String> tabs = new ArrayList<>(List.of("tab-1", "tab-2", "tab-3", "tab-4"));
        for (int i = 0; i < tabs.size(); i++) {
            browser.open(tabs.get(i), lb + "/?topic=" + TOPIC);
            for (String tab : tabs.subList(0, i + 1)) {
                awaitCounts(browser, tab, i + 1, 0);
            }
        }
        assertEquals(TOPIC, browser.eval("tab-1", "document.getElementById('title').textContent").asText());

        // Tab 2 logs in with a token: one viewer becomes a user, on every tab.
        browser.fill("tab-2", "#token", new TokenService(List.of(SECRET)).mint("alice", Duration.ofHours(1), Instant.now()));
        browser.click("tab-2", "#login button");
        browser.waitFor("tab-2", "document.getElementById('identity').dataset.countedAs === 'user'", CONVERGE,
                "tab 2 counted as a user");
        assertTrue(browser.eval("tab-2", "document.getElementById('identity').textContent").asText().contains("alice"));
        for (String tab : tabs) {
            awaitCounts(browser, tab, 3, 1);
        }

        // A token signed with another secret is refused quietly: that tab stays a viewer, and says so.
        browser.fill("tab-4", "#token", new TokenService(List.of("another-secret-0123456789")).mint("mallory",
                Duration.ofHours(1), Instant.now()));
        browser.click("tab-4", "#login button");
        browser.waitFor("tab-4", "document.getElementById('identity').dataset.countedAs === 'viewer'", CONVERGE,
                "tab 4 told it counts as a viewer");
        for (String tab : tabs) {
            awaitCounts(browser, tab, 3, 1);
        }

        // Tab 3 closes: it leaves every other tab's counts.
        browser.close("tab-3");
        tabs.remove("tab-3");
        for (String tab : tabs) {
            awaitCounts(browser, tab, 2, 1);
        }
        browser.screenshot("tab-2", SCREENSHOTS.resolve("demo-page.png"));

        // SIGKILL the node holding the most tabs: its tabs reconnect through the load balancer, and
        // every tab comes back to the same exact counts.
        Map<String, Integer> connections = waitForConnections(lb, null, tabs.size()); // one socket per tab
        String victim = connections.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        int victimTabs = connections.get(victim);
        assertTrue(victimTabs >= 1, "the node to kill holds some of the tabs: " + connections);
        int joinsBefore = joins(browser, tabs);
        Map<String, Integer> tabJoinsBefore = new java.util.HashMap<>();
        for (String tab : tabs) {
            tabJoinsBefore.put(tab, joins(browser, List.of(tab)));
        }
        long killedAt = System.nanoTime();
        cluster.node(Integer.parseInt(victim.substring(1))).kill();
        // the victim's tabs lose their socket, reconnect through the load balancer and join again
        awaitJoins(browser, tabs, joinsBefore + victimTabs);
        for (String tab : tabs) {
            awaitCounts(browser, tab, 2, 1);
        }
        long exactMillis = (System.nanoTime() - killedAt) / 1_000_000;
        String survivor = victim.equals("n1") ? "n2" : "n1";
        NodeProcess survivorNode = cluster.node(Integer.parseInt(survivor.substring(1)));
        waitForConnections(survivorNode.url(), victim, tabs.size()); // the victim's tabs are on the survivors now
        for (String tab : tabs) {
            awaitCounts(browser, tab, 2, 1); // and still exact once everything has settled
        }
        assertEquals(joinsBefore + victimTabs, joins(browser, tabs), "only the victim's tabs joined again");
        assertEquals("user", browser.eval("tab-2", "document.getElementById('identity').dataset.countedAs").asText(),
                "tab 2 still logged in after reconnecting");

        // The dashboard shows the dead node down, the connections where they are now, the topic, and the chart.
        String dashboardReady = "(() => {"
                + " const rows = [...document.querySelectorAll('#nodes tbody tr')];"
                + " const topic = document.querySelector('#topics tbody tr');"
                + " return rows.length === 3"
                + "  && rows.filter(r => r.dataset.state === 'down').length === 1"
                + "  && document.getElementById('connections-total').textContent === '" + tabs.size() + "'"
                + "  && topic && topic.cells[0].textContent === '" + TOPIC + "'"
                + "  && topic.cells[1].textContent === '2' && topic.cells[2].textContent === '1'"
                + "  && Number(document.getElementById('changes-chart').dataset.points) >= 5"
                + "  && Number(document.getElementById('convergence-chart').dataset.points) >= 5; })()";
        browser.waitFor("dashboard", dashboardReady, CONVERGE, "the dashboard after the kill");
        browser.screenshot("dashboard", SCREENSHOTS.resolve("dashboard.png"));
        // a tab that was on the killed node, now on a survivor ("reconnected once")
        String moved = null;
        for (String tab : tabs) {
            if (joins(browser, List.of(tab)) > tabJoinsBefore.get(tab)) {
                moved = tab;
            }
        }
        assertTrue(moved != null, "a tab of the killed node rejoined");
        assertTrue(browser.eval(moved, "document.getElementById('status').textContent").asText().contains("reconnected"),
                "the moved tab says it reconnected");
        browser.screenshot(moved, SCREENSHOTS.resolve("demo-page-after-kill.png"));

        JsonNode problems = browser.problems();
        List<String> unexpected = new ArrayList<>();
        for (JsonNode p : problems) {
            // the browser logs the sockets the killed node cut, and the retries before it was replaced
            if (!p.path("text").asText().contains("/socket/websocket")) {
                unexpected.add(p.toString());
            }
        }
        assertEquals(List.of(), unexpected, "console errors, page errors or failed requests");

        System.out.printf("FIGURE browser: SIGKILL of %s (%d of %d tabs) -> every tab exact again after %d ms%n",
                victim, victimTabs, tabs.size(), exactMillis);
        System.out.println("FIGURE browser: screenshots in " + SCREENSHOTS.toAbsolutePath());
    }

    /** Waits until the tab shows exactly these counts, synced with the server. */
    static void awaitCounts(BrowserDriver browser, String tab, long viewers, long users) throws InterruptedException {
        String js = "document.getElementById('watching').dataset.synced === 'true'"
                + " && document.getElementById('viewers').textContent === '" + viewers + "'"
                + " && document.getElementById('users').textContent === '" + users + "'";
        try {
            browser.waitFor(tab, js, CONVERGE, viewers + " viewers and " + users + " users");
        } catch (AssertionError e) {
            JsonNode shown = browser.eval(tab, "[document.getElementById('viewers').textContent,"
                    + " document.getElementById('users').textContent, document.getElementById('watching').dataset.synced,"
                    + " document.getElementById('status').textContent]");
            throw new AssertionError(e.getMessage() + "; the tab shows " + shown, e);
        }
    }

    /** Successful joins of the tabs' channels so far, first joins and rejoins, all tabs together. */
    static int joins(BrowserDriver browser, List<String> tabs) {
        try {
            int n = 0;
            for (String tab : tabs) {
                n += browser.eval(tab, "Number(document.getElementById('status').dataset.joins || 0)").asInt();
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static void awaitJoins(BrowserDriver browser, List<String> tabs, int total) {
        Await.until(CONVERGE, () -> joins(browser, tabs) >= total, () -> joins(browser, tabs) + " joins in the tabs, not " + total);
    }

    /** Node name ("n2") to the client connections /api/cluster reports for it (0 when it reports none). */
    static Map<String, Integer> connectionsByNode(JsonNode cluster) {
        Map<String, Integer> byNode = new java.util.TreeMap<>();
        for (JsonNode r : cluster.path("replicas")) {
            String replica = r.path("replica").asText();
            byNode.put(replica.substring(0, replica.indexOf('#')), r.path("connections").asInt(0));
        }
        return byNode;
    }

    /**
     * Waits until the node reports {@code total} connections in all on the nodes other than
     * {@code dead} (null: all nodes); peers' figures are as of their last heartbeat.
     */
    static Map<String, Integer> waitForConnections(String nodeUrl, String dead, int total) {
        AtomicReference<Map<String, Integer>> seen = new AtomicReference<>();
        Await.until(CONVERGE, () -> {
            seen.set(living(nodeUrl, dead));
            return seen.get().values().stream().mapToInt(Integer::intValue).sum() == total;
        }, () -> "the nodes hold " + seen.get() + ", not " + total + " connections in all");
        return seen.get(); // the answer that met the condition
    }

    /** {@link #connectionsByNode} as the node reports it now, without {@code dead} (unless null). */
    static Map<String, Integer> living(String nodeUrl, String dead) {
        Map<String, Integer> byNode = connectionsByNode(Http.get(nodeUrl + "/api/cluster").json());
        if (dead != null) {
            byNode.remove(dead);
        }
        return byNode;
    }
}
