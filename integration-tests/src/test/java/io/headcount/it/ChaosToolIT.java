package io.headcount.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/chaos.sh as an operator runs it, against a local cluster, for a bounded time. */
class ChaosToolIT {

    @Test
    void theChaosToolKillsAndRestartsNodesAndTheCheckerFindsTheCountsRight() throws Exception {
        Path work = ItEnvironment.workDir("chaos-tool");
        try (LocalClusterScript cluster = LocalClusterScript.start(3, work.resolve("cluster"), Map.of())) {
            Process p = new ProcessBuilder("bash", ItEnvironment.repoRoot().resolve("deploy/chaos.sh").toString(), "--local",
                    "--state-dir", work.resolve("cluster").toString(), "--url", cluster.loadBalancerSocketUrl(),
                    "--duration", "20s", "--clients", "20").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "chaos.sh ends by itself");
            System.out.print(out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("kill -9 node") && out.contains("restart node"), out);
            assertTrue(out.contains("verdict: PASS"), out);
            String summary = out.lines().filter(l -> l.startsWith("checker:") || l.startsWith("verdict:"))
                    .reduce((a, b) -> a + "; " + b).orElse("");
            System.out.println("FIGURE chaos.sh, 20 s on a local 3-node cluster: " + summary);
        }
    }
}
