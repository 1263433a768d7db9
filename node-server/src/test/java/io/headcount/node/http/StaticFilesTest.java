package io.headcount.node.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticFilesTest {

    final StaticFiles files = new StaticFiles();

    @Test
    void thePagesTheirScriptsAndTheAssetsTheBuildFetchedAreServedWithTheirTypes() {
        assertEquals("text/html; charset=utf-8", files.find("index.html").orElseThrow().contentType());
        assertEquals("text/html; charset=utf-8", files.find("dashboard.html").orElseThrow().contentType());
        assertEquals("text/css; charset=utf-8", files.find("style.css").orElseThrow().contentType());
        for (String js : List.of("demo.js", "dashboard.js", "lib/presence.js", "vendor/phoenix/phoenix.mjs",
                "vendor/uplot/uPlot.esm.js")) {
            assertEquals("text/javascript; charset=utf-8", files.find(js).orElseThrow(() -> new AssertionError(js)).contentType());
        }
        assertTrue(files.find("vendor/phoenix/LICENSE.md").isPresent(), "phoenix's licence ships with it");
        assertTrue(files.find("vendor/uplot/LICENSE").isPresent(), "uPlot's licence ships with it");
    }

    @Test
    void theBindingServedIsTheOneInClientsJs() throws Exception {
        byte[] source = Files.readAllBytes(Path.of("../clients/js/src/presence.js"));
        assertArrayEquals(source, files.find("lib/presence.js").orElseThrow().body());
    }

    @Test
    void namesThatAreNotPlainPathsToKnownFilesAreNeverLookedUp() {
        for (String name : List.of("../pom.xml", "lib/../index.html", "./index.html", "/index.html", "vendor",
                "vendor/", "vendor//phoenix/phoenix.mjs", ".hidden.js", "logback.xml", "index.html%00.js",
                "io/headcount/node/Main.class", "index.html?x=1", "x\\..\\index.html", "", "missing.js")) {
            assertTrue(files.find(name).isEmpty(), name);
        }
    }
}
